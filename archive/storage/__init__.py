"""Blob storage: config picks the backend by name; code uses the BlobStorage interface."""
from __future__ import annotations

import importlib
from typing import Any, Mapping

from archive.storage.interfaces import BlobInfo, BlobNotFound, BlobStorage, InvalidKey, StorageError

BACKENDS = {
    "local": "archive.storage.local:LocalBlobStorage",
    "s3": "archive.storage.s3:S3BlobStorage",
}

__all__ = ["BlobInfo", "BlobNotFound", "BlobStorage", "InvalidKey", "StorageError", "make_storage"]


def make_storage(config: Mapping[str, Any]) -> BlobStorage:
    module, cls = BACKENDS[config["STORAGE"]].split(":")
    return getattr(importlib.import_module(module), cls).from_config(config)
