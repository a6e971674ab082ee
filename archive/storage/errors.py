"""The errors every BlobStorage backend raises (never the vendor's own)."""
from __future__ import annotations


class StorageError(Exception):
    """The store failed (network, credentials, disk)."""


class BlobNotFound(StorageError):
    pass


class InvalidKey(StorageError, ValueError):
    pass
