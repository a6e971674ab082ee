"""The BlobStorage boundary. Backends: LocalBlobStorage (default), S3BlobStorage (MinIO/S3).

Keys are relative, '/'-separated names made of [A-Za-z0-9._-] segments; a key that
could escape the store ('..', absolute, backslash, NUL, empty segment) raises
InvalidKey before any I/O. Backends raise these errors, never the vendor's.
Nothing is overwritten in place: callers write new keys.
"""
from __future__ import annotations

import abc
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from archive.storage.errors import BlobNotFound, InvalidKey, StorageError
from archive.storage.keys import validate_key

__all__ = ["BlobInfo", "BlobNotFound", "BlobStorage", "InvalidKey", "StorageError"]


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    sha256: str | None = None  # set by put_* (computed while streaming); stat may not know it
    content_type: str | None = None


class BlobStorage(abc.ABC):
    name: str
    # The origin (`scheme://host[:port]`) browsers fetch this store's presigned URLs from, for
    # the pages' Content-Security-Policy; None when the store hands out none (local files are
    # served by the archive itself).
    public_origin: str | None = None

    @abc.abstractmethod
    def put_stream(self, key: str, stream: BinaryIO, *, length: int | None = None,
                   content_type: str | None = None) -> BlobInfo:
        """Stream `stream` to `key` in constant memory, computing its SHA-256 on the way."""

    @abc.abstractmethod
    def put_file(self, key: str, path: str, *, content_type: str | None = None,
                 sha256: str | None = None, move: bool = False) -> BlobInfo:
        """Store a local file. `move=True` lets a backend take the file (a rename) instead of copying."""

    @abc.abstractmethod
    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """Yield bytes start..end inclusive (end None = to the end of the blob)."""

    @abc.abstractmethod
    def stat(self, key: str) -> BlobInfo:
        """Size (and content type where known) of a blob; BlobNotFound if absent."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove a blob; deleting an absent key is not an error."""

    @abc.abstractmethod
    def download_to(self, key: str, path: str) -> None:
        """Copy a blob to a local file (for ffmpeg), streaming."""

    @abc.abstractmethod
    def local_path(self, key: str) -> str | None:
        """A filesystem path ffmpeg can read directly, or None when the blob is remote."""

    @abc.abstractmethod
    def presigned_url(self, key: str, *, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str | None:
        """A short-lived URL a client can GET directly, or None when the backend has none. Its
        answer names `filename` (Content-Disposition) and, when given, says `content_type`
        rather than the type stored with the blob (an original's type is corrected once its
        bytes are probed, after it was stored: `archive.ingest.steps.follow_content`)."""

    @abc.abstractmethod
    def internal_url(self, key: str, *, expires: int) -> str | None:
        """A short-lived URL (valid `expires` seconds) this service's own processes (ffmpeg on
        the web or worker host) can GET, byte ranges included, or None when the backend has
        none. Unlike `presigned_url` it names the address the archive reaches the store at
        (S3_ENDPOINT), not the one browsers do (S3_PUBLIC_ENDPOINT), which need not resolve
        or route from in here. A credential while it lasts: never log it."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise StorageError unless the store answers (used by /healthz and at start-up)."""

    # -- several files under one prefix (multi-file renditions: HLS, storyboards...) --------

    @abc.abstractmethod
    def list_prefix(self, prefix: str) -> Iterator[BlobInfo]:
        """Every blob whose key lies under `prefix` (that is, starts with `prefix + "/"`),
        in key order, with its size. `prefix` is validated as a key; an absent prefix
        yields nothing. Half-written blobs are never listed."""

    @abc.abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Remove every blob under `prefix`; return how many were removed (0 when none)."""

    def put_tree(self, prefix: str, directory: str | os.PathLike[str], *,
                 content_type: Callable[[str], str | None] = lambda _path: None,
                 move: bool = False) -> list[BlobInfo]:
        """Store every regular file below the local `directory` under `prefix`, keeping
        its relative path (`<prefix>/<relative/path>`), in path order.

        Returns one BlobInfo per file with its size and SHA-256 (computed here, never
        taken from the store). `content_type(relative_path)` names each file's media type.
        With `move`, files may be taken by rename. Raises InvalidKey before any write when
        a relative path is not a valid key, and StorageError when a write fails (files
        already written stay; the caller owns the prefix and deletes it on failure).
        """
        root = Path(directory)
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        relatives = [p.relative_to(root).as_posix() for p in files]
        keys = [validate_key(f"{prefix}/{rel}") for rel in relatives]
        return [self.put_file(key, str(path), content_type=content_type(rel), move=move)
                for key, path, rel in zip(keys, files, relatives)]
