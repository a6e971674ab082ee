"""The access gate: every read of an asset's bytes asks one policy and leaves one usage record.

`archive.access.gate.check_read` is the only way bytes of an asset are handed out (originals
now; clips, HLS of a master, basket zips and share links as they arrive). See gate.py for
what counts as one use.
"""
