"""LocalBlobStorage: blobs as files under one directory (the embedded default)."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Mapping

from archive.storage.interfaces import BlobInfo, BlobNotFound, BlobStorage, InvalidKey, StorageError
from archive.storage.keys import validate_key

CHUNK = 1024 * 1024


class LocalBlobStorage(BlobStorage):
    name = "local"

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create storage directory {self.root}: {exc}") from exc

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "LocalBlobStorage":
        return cls(config["STORAGE_DIR"])

    # -- paths -------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = (self.root / key).resolve()
        # Defence in depth: validation already forbids escapes, but a symlink planted inside
        # the store must not lead outside it either.
        if path != self.root and self.root not in path.parents:
            raise InvalidKey("blob key resolves outside the store")
        return path

    # -- writes ------------------------------------------------------------------------------

    def put_stream(self, key: str, stream: BinaryIO, *, length: int | None = None,
                   content_type: str | None = None) -> BlobInfo:
        path = self._path(key)
        digest = hashlib.sha256()
        size = 0
        with self._atomic_writer(path) as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise StorageError(f"cannot write {key}: {exc}") from exc
            if length is not None and size != length:
                # Raised inside the writer so the short blob is never published.
                raise StorageError(f"stream for {key} gave {size} bytes, expected {length}")
        return BlobInfo(key=key, size=size, sha256=digest.hexdigest(), content_type=content_type)

    def put_file(self, key: str, path: str, *, content_type: str | None = None,
                 sha256: str | None = None, move: bool = False) -> BlobInfo:
        target = self._path(key)
        source = Path(path)
        if move:
            # A rename keeps one copy on disk and costs nothing; the hash is still needed
            # when the caller did not compute it while receiving the file.
            digest, size = (sha256, _size(source)) if sha256 else _hash_file(source)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                _fsync_file(source)
                os.replace(source, target)
                _fsync_dir(target.parent)
                return BlobInfo(key=key, size=size, sha256=digest, content_type=content_type)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise StorageError(f"cannot move {path} to {key}: {exc}") from exc
        try:
            fh = source.open("rb")
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc}") from exc
        with fh:
            info = self.put_stream(key, fh, content_type=content_type)
        if move:
            with contextlib.suppress(FileNotFoundError):
                source.unlink()
        return info

    @contextlib.contextmanager
    def _atomic_writer(self, path: Path):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        except OSError as exc:
            raise StorageError(f"cannot write to {path.parent}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                yield out
                try:
                    out.flush()
                    os.fsync(out.fileno())
                except OSError as exc:
                    raise StorageError(f"cannot write {path}: {exc}") from exc
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise StorageError(f"cannot write {path}: {exc}") from exc
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)

    # -- reads -------------------------------------------------------------------------------

    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = CHUNK) -> Iterator[bytes]:
        path = self._path(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range {start}-{end}")
        try:
            fh = path.open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot open {key}: {exc}") from exc
        return _FileRange(fh, start, end, chunk_size)

    def stat(self, key: str) -> BlobInfo:
        path = self._path(key)
        try:
            st = path.stat()
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot stat {key}: {exc}") from exc
        if not path.is_file():
            raise BlobNotFound(key)
        return BlobInfo(key=key, size=st.st_size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._unlink(self._path(key))

    def download_to(self, key: str, path: str) -> None:
        source = self._path(key)
        try:
            shutil.copyfile(source, path)
        except FileNotFoundError as exc:
            if not source.is_file():
                raise BlobNotFound(key) from exc
            raise StorageError(f"cannot copy {key} to {path}: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot copy {key} to {path}: {exc}") from exc

    def local_path(self, key: str) -> str | None:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        return str(path)

    def presigned_url(self, key: str, *, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str | None:
        self._path(key)
        return None

    def internal_url(self, key: str, *, expires: int) -> str | None:
        self._path(key)
        return None

    def check(self) -> None:
        try:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".check-")
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            raise StorageError(f"storage directory {self.root} is not writable: {exc}") from exc

    def list_prefix(self, prefix: str) -> Iterator[BlobInfo]:
        base = self._path(prefix)
        if not base.is_dir():
            return iter(())
        return self._walk(base)

    def _walk(self, base: Path) -> Iterator[BlobInfo]:
        found = []
        for dirpath, dirnames, filenames in os.walk(base):  # never follows symlinked directories
            for name in filenames:
                path = Path(dirpath) / name
                if name.startswith(".tmp-") or path.is_symlink():
                    continue  # an atomic write still in progress, or something not ours
                found.append((path.relative_to(self.root).as_posix(), path))
        for key, path in sorted(found):
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue  # deleted while we listed
            yield BlobInfo(key=key, size=size)

    def delete_prefix(self, prefix: str) -> int:
        base = self._path(prefix)
        if not base.is_dir():
            return 0
        count = sum(1 for _ in self._walk(base))
        try:
            shutil.rmtree(base)  # removes symlinks themselves, never what they point to
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(f"cannot delete {prefix}: {exc}") from exc
        return count

    def _unlink(self, path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageError(f"cannot delete {path}: {exc}") from exc


class _FileRange:
    """Iterator over part of an open file; closing it (or exhausting it) closes the file.

    A class rather than a generator: a generator that was never started does not run its
    cleanup on close(), and a WSGI server closes bodies it never iterated (HEAD, a client
    that went away).
    """

    def __init__(self, fh: BinaryIO, start: int, end: int | None, chunk_size: int):
        self._fh: BinaryIO | None = fh
        self._remaining = None if end is None else end - start + 1
        self._chunk_size = chunk_size
        fh.seek(start)

    def __iter__(self) -> "_FileRange":
        return self

    def __next__(self) -> bytes:
        if self._fh is None or self._remaining == 0:
            self.close()
            raise StopIteration
        want = self._chunk_size if self._remaining is None else min(self._chunk_size, self._remaining)
        try:
            chunk = self._fh.read(want)
        except OSError as exc:
            self.close()
            raise StorageError(f"read failed: {exc}") from exc
        if not chunk:
            self.close()
            raise StopIteration
        if self._remaining is not None:
            self._remaining -= len(chunk)
        return chunk

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()

    def __del__(self) -> None:
        self.close()


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc
    return digest.hexdigest(), size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc}") from exc


def _fsync_file(path: Path) -> None:
    # The producer may not have synced the file it hands over; a rename must not publish
    # a blob whose bytes are still only in the page cache.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry itself is on disk.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
