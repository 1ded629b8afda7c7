"""Huashu: a reply assistant for after-sales customer-service agents."""
