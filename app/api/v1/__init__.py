"""Version 1 of the HTTP contract (DESIGN.md)."""
