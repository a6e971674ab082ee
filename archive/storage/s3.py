"""S3BlobStorage: blobs in one bucket of MinIO or any S3-compatible store (`minio` SDK).

The SDK's errors never leave this module: NoSuchKey becomes BlobNotFound, every other
failure (credentials, network, a missing bucket) becomes StorageError with a message an
operator can act on.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, Mapping, TypeVar
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import MinioException, S3Error

from archive.filenames import content_disposition
from archive.storage.interfaces import BlobInfo, BlobNotFound, BlobStorage, StorageError
from archive.storage.keys import validate_key

log = logging.getLogger(__name__)

MiB = 1024 * 1024
# The SDK holds a whole part in memory while it uploads it, so the part size is the
# memory bound of an upload. 16 MiB x 10,000 parts (the S3 limit) still allows 160 GB.
DEFAULT_PART_SIZE = 16 * MiB
MIN_PART_SIZE = 5 * MiB
MAX_PARTS = 10_000
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
DELETE_BATCH = 1000  # the most keys one S3 DeleteObjects request may name

_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
_CREDENTIALS = {"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken",
                "ExpiredToken", "AuthorizationHeaderMalformed"}

T = TypeVar("T")


class _HashingReader:
    """Hands the SDK exactly what it asks for while hashing and counting every byte."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0
        self.eof = False
        self.error: BaseException | None = None

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._read(n)
        except BaseException as exc:
            # Kept so the caller sees its own stream's failure, not a store error.
            self.error = exc
            raise
        if not data or (n is not None and 0 <= n and len(data) < n):
            self.eof = True
        return data

    def _read(self, n: int) -> bytes:
        if n is None or n < 0:
            data = self._stream.read()
        else:
            data = self._stream.read(n)
            # A socket or request body may return short reads; the SDK concatenates them
            # with `+=`, which copies the growing part each time, so fill it here instead.
            if data and len(data) < n:
                buf = bytearray(data)
                while len(buf) < n:
                    more = self._stream.read(n - len(buf))
                    if not more:
                        break
                    buf += more
                data = bytes(buf)
        if data:
            self.digest.update(data)
            self.size += len(data)
        return data or b""


class _RangeStream:
    """Iterator over an S3 response that always returns its connection to the pool."""

    def __init__(self, response: Any, chunk_size: int, key: str):
        self._response = response
        self._chunks = response.stream(chunk_size)
        self._key = key

    def __iter__(self) -> "_RangeStream":
        return self

    def __next__(self) -> bytes:
        if self._response is None:
            raise StopIteration
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            self.close()
            raise StorageError(f"S3 read of {self._key} failed: {exc}") from exc

    def close(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()
            response.release_conn()

    def __del__(self) -> None:
        # Last resort for a body nobody closed; errors here could only be printed.
        with contextlib.suppress(Exception):
            self.close()


def _parse_endpoint(endpoint: str, secure: bool, setting: str = "S3_ENDPOINT") -> tuple[str, bool]:
    """Accept `host:port` or a URL; a URL's scheme decides TLS."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise StorageError(f"{setting} must be host:port or http(s)://host:port, not {endpoint!r}")
        return parts.netloc, parts.scheme == "https"
    return endpoint.strip("/"), secure


class S3BlobStorage(BlobStorage):
    name = "s3"

    def __init__(self, client: Minio, bucket: str, *, region: str | None = None,
                 part_size: int = DEFAULT_PART_SIZE, presign_client: Minio | None = None,
                 public_origin: str | None = None):
        """`presign_client` signs download URLs for another address of the same store (the one
        browsers reach, S3_PUBLIC_ENDPOINT); without it URLs name the endpoint we use.
        `public_origin` is the origin of the URLs it signs (`origin_of(config)`)."""
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE}")
        self.client = client
        self.presign_client = presign_client or client
        self.public_origin = public_origin
        self.bucket = bucket
        self.region = region
        self.part_size = part_size
        self._bucket_ready = False

    @staticmethod
    def origin_of(config: Mapping[str, Any]) -> str:
        """The origin browsers fetch presigned URLs from: S3_PUBLIC_ENDPOINT, else S3_ENDPOINT
        (https when the URL says so, or S3_SECURE). Raises StorageError for an unusable one."""
        host, secure = _parse_endpoint(str(config["S3_ENDPOINT"]), bool(config.get("S3_SECURE")))
        if config.get("S3_PUBLIC_ENDPOINT"):  # host:port takes the endpoint's TLS, as from_config's presigner
            host, secure = _parse_endpoint(str(config["S3_PUBLIC_ENDPOINT"]), secure, "S3_PUBLIC_ENDPOINT")
        return f"{'https' if secure else 'http'}://{host}"

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **kwargs: Any) -> "S3BlobStorage":
        endpoint, secure = _parse_endpoint(str(config["S3_ENDPOINT"]), bool(config.get("S3_SECURE")))
        # Bounded retries and timeouts: the SDK's default pool retries for a long time, which
        # would hang /healthz and start-up when the store is down.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=120),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=config.get("S3_CA_FILE") or certifi.where(),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        try:
            client = Minio(endpoint, access_key=config["S3_ACCESS_KEY"], secret_key=config["S3_SECRET_KEY"],
                           secure=secure, region=config.get("S3_REGION") or None, http_client=http)
        except ValueError as exc:
            raise StorageError(f"S3_ENDPOINT {config['S3_ENDPOINT']!r} is not usable: {exc}") from exc
        presign_client = None
        if config.get("S3_PUBLIC_ENDPOINT"):
            # Presigning is local arithmetic, but the SDK asks the endpoint for the bucket's
            # region unless it is given one: a public name may not resolve from in here.
            public, public_secure = _parse_endpoint(str(config["S3_PUBLIC_ENDPOINT"]), secure, "S3_PUBLIC_ENDPOINT")
            try:
                presign_client = Minio(public, access_key=config["S3_ACCESS_KEY"], secret_key=config["S3_SECRET_KEY"],
                                       secure=public_secure, region=config.get("S3_REGION") or "us-east-1",
                                       http_client=http)
            except ValueError as exc:
                raise StorageError(f"S3_PUBLIC_ENDPOINT {config['S3_PUBLIC_ENDPOINT']!r} is not usable: {exc}") from exc
        store = cls(client, config["S3_BUCKET"], region=config.get("S3_REGION") or None,
                    presign_client=presign_client, public_origin=cls.origin_of(config), **kwargs)
        try:
            store._ensure_bucket()
        except StorageError as exc:
            # Commands that never touch blobs must still start while the store is down;
            # check() reports it, and the next write tries again.
            log.warning("S3 storage not ready at start-up: %s", exc)
        return store

    # -- plumbing ----------------------------------------------------------------------------

    def _call(self, what: str, key: str | None, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except S3Error as exc:
            if exc.code in _NOT_FOUND and key is not None:
                raise BlobNotFound(key) from exc
            if exc.code in _CREDENTIALS:
                raise StorageError(f"S3 {what} refused ({exc.code}): check S3_ACCESS_KEY, "
                                   f"S3_SECRET_KEY and the bucket policy for {self.bucket!r}") from exc
            if exc.code == "NoSuchBucket":
                raise StorageError(f"S3 bucket {self.bucket!r} does not exist") from exc
            raise StorageError(f"S3 {what} failed: {exc.code}: {exc.message}") from exc
        except MinioException as exc:
            raise StorageError(f"S3 {what} failed: {exc}") from exc
        except ValueError as exc:
            # The SDK's own checks: a bad bucket name, a stream shorter than its length.
            raise StorageError(f"S3 {what} failed: {exc}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(f"S3 {what} failed, store unreachable: {exc}") from exc

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not self._call("bucket check", None, lambda: self.client.bucket_exists(self.bucket)):
            try:
                self._call("bucket creation", None,
                           lambda: self.client.make_bucket(self.bucket, location=self.region))
            except StorageError as exc:
                # Another process may have created it between the two calls.
                if not isinstance(exc.__cause__, S3Error) or exc.__cause__.code not in (
                        "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self._bucket_ready = True

    def _part_size(self, length: int | None) -> int:
        if length is None or length < 0:
            return self.part_size
        return max(self.part_size, math.ceil(length / MAX_PARTS))

    # -- writes ------------------------------------------------------------------------------

    def put_stream(self, key: str, stream: BinaryIO, *, length: int | None = None,
                   content_type: str | None = None) -> BlobInfo:
        validate_key(key)
        self._ensure_bucket()
        reader = _HashingReader(stream)
        try:
            self._call("upload", key, lambda: self.client.put_object(
                self.bucket, key, reader, length=-1 if length is None else length,
                content_type=content_type or "application/octet-stream",
                part_size=self._part_size(length), num_parallel_uploads=1))
        except StorageError as exc:
            # The SDK has aborted the upload; say whose fault it was.
            if reader.error is not None:
                raise reader.error from None
            if length is not None and reader.eof and reader.size < length:
                raise StorageError(f"stream for {key} ended after {reader.size} bytes, "
                                   f"expected {length}") from exc
            raise
        # With a length the SDK stops reading there; bytes left over mean the caller's length
        # was wrong, and the stored blob would be silently truncated.
        if length is not None and (reader.size != length or stream.read(1)):
            self._call("delete", key, lambda: self.client.remove_object(self.bucket, key))
            raise StorageError(f"stream for {key} did not have the {length} bytes announced")
        # The ETag of a multipart upload is not a content hash; ours is.
        return BlobInfo(key=key, size=reader.size, sha256=reader.digest.hexdigest(), content_type=content_type)

    def put_file(self, key: str, path: str, *, content_type: str | None = None,
                 sha256: str | None = None, move: bool = False) -> BlobInfo:
        validate_key(key)
        self._ensure_bucket()
        source = Path(path)
        try:
            size = source.stat().st_size
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc}") from exc
        if sha256:
            self._call("upload", key, lambda: self.client.fput_object(
                self.bucket, key, str(source), content_type=content_type or "application/octet-stream",
                part_size=self._part_size(size), num_parallel_uploads=1))
            info = BlobInfo(key=key, size=size, sha256=sha256, content_type=content_type)
        else:
            # Hash while uploading: one read of the file instead of two.
            try:
                fh = source.open("rb")
            except OSError as exc:
                raise StorageError(f"cannot read {path}: {exc}") from exc
            with fh:
                info = self.put_stream(key, fh, length=size, content_type=content_type)
        if move:
            with contextlib.suppress(FileNotFoundError):
                source.unlink()
        return info

    # -- reads -------------------------------------------------------------------------------

    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = MiB) -> Iterator[bytes]:
        validate_key(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"bad byte range {start}-{end}")
        length = 0 if end is None else end - start + 1
        try:
            response = self._call("read", key, lambda: self.client.get_object(
                self.bucket, key, offset=start, length=length))
        except StorageError as exc:
            # Same as a file read past its end: nothing, not an error.
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code == "InvalidRange":
                return iter(())
            raise
        return _RangeStream(response, chunk_size, key)

    def stat(self, key: str) -> BlobInfo:
        validate_key(key)
        obj = self._call("stat", key, lambda: self.client.stat_object(self.bucket, key))
        return BlobInfo(key=key, size=int(obj.size or 0), content_type=obj.content_type)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except BlobNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        validate_key(key)
        # S3 DELETE of an absent key succeeds, which is the contract.
        self._call("delete", key, lambda: self.client.remove_object(self.bucket, key))

    def download_to(self, key: str, path: str) -> None:
        target = Path(path)
        chunks = self.open_range(key)
        tmp = None
        try:
            # Written beside the target and renamed, so a failed download leaves no partial file.
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            os.replace(tmp, target)
        except BaseException as exc:
            if tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
            if isinstance(exc, OSError):
                raise StorageError(f"cannot write {path}: {exc}") from exc
            raise
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()

    def local_path(self, key: str) -> str | None:
        validate_key(key)
        return None

    def presigned_url(self, key: str, *, expires: int, filename: str | None = None,
                      content_type: str | None = None) -> str | None:
        headers = {"response-content-disposition": content_disposition(filename)} if filename else {}
        if content_type:
            headers["response-content-type"] = content_type
        return self._sign(self.presign_client, key, expires, headers or None)

    def internal_url(self, key: str, *, expires: int) -> str | None:
        # Signed by the client we talk to the store with: a SigV4 signature covers the host,
        # so a URL for S3_PUBLIC_ENDPOINT cannot be sent to S3_ENDPOINT instead.
        return self._sign(self.client, key, expires, None)

    def _sign(self, client: Minio, key: str, expires: int, headers: dict[str, str] | None) -> str:
        validate_key(key)
        seconds = max(1, min(int(expires), MAX_PRESIGN_SECONDS))
        return self._call("presign", key, lambda: client.presigned_get_object(
            self.bucket, key, expires=timedelta(seconds=seconds), response_headers=headers))

    def list_prefix(self, prefix: str) -> Iterator[BlobInfo]:
        validate_key(prefix)  # now, not when the caller first iterates
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[BlobInfo]:
        # S3 lists keys in UTF-8 binary order, which for our ASCII keys is key order. The
        # SDK pages lazily; each page's request may fail, so every step goes through _call.
        pages = self.client.list_objects(self.bucket, prefix=prefix + "/", recursive=True)
        while True:
            obj = self._call("list", None, lambda: next(pages, None))
            if obj is None:
                return
            if not obj.is_dir:
                yield BlobInfo(key=obj.object_name, size=int(obj.size or 0))

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list_prefix(prefix)]
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [DeleteObject(k) for k in keys[start:start + DELETE_BATCH]]
            # remove_objects is lazy: nothing is deleted until its error iterator is consumed.
            errors = self._call("delete", None, lambda: list(self.client.remove_objects(self.bucket, batch)))
            if errors:
                raise StorageError(f"S3 delete of {prefix} failed for {len(errors)} objects: "
                                   f"{errors[0].code}: {errors[0].message}")
        return len(keys)

    def check(self) -> None:
        if not self._call("bucket check", None, lambda: self.client.bucket_exists(self.bucket)):
            raise StorageError(f"S3 bucket {self.bucket!r} does not exist")
        self._bucket_ready = True
