"""Clips: a segment of a master exported as an asset of its own, with its lineage (issue 9)."""
