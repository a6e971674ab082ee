"""Provenance: where a clip comes from (reverse clip search over perceptual hashes)."""
