"""Markers: timecoded notes on an asset's timeline (in, optional out, text, author)."""
