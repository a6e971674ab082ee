"""Blob storage: config picks the backend by name; code uses the BlobStorage interface."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from archive.storage.interfaces import BlobInfo, BlobNotFound, BlobStorage, InvalidKey, StorageError


# Each backend is imported when configured (the S3 one loads the minio SDK), by a plain import
# statement that import-linter and a reader follow, never by a module name in a string.
def _local() -> type[BlobStorage]:
    from archive.storage.local import LocalBlobStorage
    return LocalBlobStorage


def _s3() -> type[BlobStorage]:
    from archive.storage.s3 import S3BlobStorage
    return S3BlobStorage


BACKENDS: dict[str, Callable[[], type[BlobStorage]]] = {"local": _local, "s3": _s3}

__all__ = ["BlobInfo", "BlobNotFound", "BlobStorage", "InvalidKey", "StorageError", "make_storage"]


def make_storage(config: Mapping[str, Any]) -> BlobStorage:
    """The backend `config["STORAGE"]` names (`local` or `s3`; KeyError for another)."""
    return BACKENDS[config["STORAGE"]]().from_config(config)
