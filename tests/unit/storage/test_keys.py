"""Key validation and the S3 backend's pure helpers (no server needed)."""
from __future__ import annotations

import io

import pytest

from archive.storage import InvalidKey, StorageError
from archive.storage.keys import MAX_KEY_LENGTH, validate_key
from archive.storage.s3 import _HashingReader, _parse_endpoint


@pytest.mark.parametrize("key", [
    "a", "assets/01HZX/original.mp4", "a.b-c_d/E9", "...a", "a..b/c", "-x/_y", "x" * MAX_KEY_LENGTH,
])
def test_valid_keys(key):
    assert validate_key(key) == key


@pytest.mark.parametrize("key", [
    "", "/", "/etc/passwd", "../x", "a/../../b", "..", ".", "a/.", "./a", "a//b", "a/", "a\\b",
    "..\\..\\windows", "a\x00b", "a\nb", "a b", "a:b", "ş", "a/ğ.mp4", "~/x", "x" * (MAX_KEY_LENGTH + 1),
    "a/b?x=1", "a#b", "%2e%2e",
])
def test_invalid_keys(key):
    with pytest.raises(InvalidKey):
        validate_key(key)


@pytest.mark.parametrize("key", [None, 12, b"a/b"])
def test_non_string_keys(key):
    with pytest.raises(InvalidKey):
        validate_key(key)


def test_invalid_key_is_a_storage_error_and_a_value_error():
    with pytest.raises(StorageError):
        validate_key("../x")
    with pytest.raises(ValueError):
        validate_key("../x")


@pytest.mark.parametrize("endpoint,secure,expected", [
    ("minio:9000", False, ("minio:9000", False)),
    ("minio:9000", True, ("minio:9000", True)),
    ("http://minio:9000", True, ("minio:9000", False)),
    ("https://s3.example.org", False, ("s3.example.org", True)),
    ("https://s3.example.org/", False, ("s3.example.org", True)),
])
def test_parse_endpoint(endpoint, secure, expected):
    assert _parse_endpoint(endpoint, secure) == expected


@pytest.mark.parametrize("endpoint", ["ftp://x:1", "http://", "http://x:9000/bucket"])
def test_parse_endpoint_refuses(endpoint):
    with pytest.raises(StorageError):
        _parse_endpoint(endpoint, False)


class ShortReads(io.RawIOBase):
    def __init__(self, data: bytes, step: int):
        self.data, self.step = data, step

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.step if n is None or n < 0 else min(n, self.step)
        out, self.data = self.data[:n], self.data[n:]
        return out


def test_hashing_reader_fills_each_read_and_hashes_everything():
    import hashlib

    data = bytes(range(256)) * 100
    reader = _HashingReader(ShortReads(data, 7))
    first = reader.read(1000)
    assert len(first) == 1000
    rest = b""
    while chunk := reader.read(4096):
        rest += chunk
    assert first + rest == data
    assert reader.size == len(data)
    assert reader.digest.hexdigest() == hashlib.sha256(data).hexdigest()
