"""Baskets: named collections of assets, clips and marked segments, shared and zipped."""
