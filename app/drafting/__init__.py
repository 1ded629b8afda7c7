"""Drafting: replies assembled from the phrasebook, stage by stage, in the customer's script."""
