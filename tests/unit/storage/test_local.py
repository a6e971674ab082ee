"""LocalBlobStorage behaviour beyond the shared contract (tests/contract/test_storage.py):
renames, atomic replacement, symlinks and the directory itself, on the real filesystem."""
from __future__ import annotations

import hashlib
import io
import os

import pytest

from archive.storage import BlobNotFound, InvalidKey, StorageError
from archive.storage.local import LocalBlobStorage
from tests.contract.test_storage import FailingStream, read_all

DATA = bytes(range(256)) * 40 + b"tail"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def local_store(tmp_path):
    return LocalBlobStorage.from_config({"STORAGE_DIR": str(tmp_path / "blobs")})


def test_local_move_is_a_rename(local_store, tmp_path):
    src = tmp_path / "upload.bin"
    src.write_bytes(DATA)
    inode = src.stat().st_ino
    local_store.put_file("m/renamed", str(src), move=True)
    path = local_store.local_path("m/renamed")
    assert os.stat(path).st_ino == inode
    assert not src.exists()


def test_local_move_across_filesystems_copies(local_store):
    import tempfile

    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == local_store.root.stat().st_dev:
        pytest.skip("no second filesystem to move from")
    fd, src = tempfile.mkstemp(dir=shm, prefix="ortak-test-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(DATA)
    try:
        info = local_store.put_file("m/across", src, move=True)
        assert info.sha256 == sha(DATA)
        assert not os.path.exists(src)
        assert read_all(local_store, "m/across") == DATA
    finally:
        if os.path.exists(src):
            os.unlink(src)


def test_local_key_clashing_with_a_directory_is_a_storage_error(local_store, tmp_path):
    local_store.put_stream("c/d/e", io.BytesIO(b"x"))
    with pytest.raises(StorageError):
        local_store.put_stream("c/d", io.BytesIO(b"y"))
    with pytest.raises(StorageError):
        local_store.put_stream("c/d/e/f", io.BytesIO(b"y"))
    src = tmp_path / "s"
    src.write_bytes(b"z")
    with pytest.raises(StorageError):
        local_store.put_file("c/d", str(src), move=True)
    assert src.exists()
    assert not local_store.exists("c/d")
    with pytest.raises(BlobNotFound):
        local_store.stat("c/d")


def test_local_path_is_the_real_file(local_store):
    local_store.put_stream("p/x", io.BytesIO(DATA))
    path = local_store.local_path("p/x")
    assert os.path.isabs(path)
    assert path.startswith(str(local_store.root) + os.sep)
    with open(path, "rb") as fh:
        assert fh.read() == DATA
    assert local_store.presigned_url("p/x", expires=60) is None


def test_local_writes_leave_no_temp_files(local_store):
    local_store.put_stream("t/a", io.BytesIO(DATA))
    with pytest.raises(ConnectionResetError):
        local_store.put_stream("t/b", FailingStream(2 * 1024 * 1024))
    assert sorted(p.name for p in (local_store.root / "t").iterdir()) == ["a"]


def test_local_failed_write_keeps_previous_blob(local_store):
    local_store.put_stream("t/keep", io.BytesIO(b"old"))
    with pytest.raises(ConnectionResetError):
        local_store.put_stream("t/keep", FailingStream(10))
    assert read_all(local_store, "t/keep") == b"old"


def test_local_symlink_out_of_the_store_is_refused(local_store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    os.symlink(outside, local_store.root / "link")
    with pytest.raises(InvalidKey):
        local_store.stat("link/secret")
    with pytest.raises(InvalidKey):
        local_store.put_stream("link/new", io.BytesIO(b"x"))
    assert not (outside / "new").exists()


def test_local_check_fails_when_the_directory_is_gone(local_store):
    local_store.root.rmdir()
    local_store.root.write_bytes(b"not a directory")
    with pytest.raises(StorageError):
        local_store.check()


def test_local_from_config_creates_the_directory(tmp_path):
    store = LocalBlobStorage.from_config({"STORAGE_DIR": str(tmp_path / "a" / "b")})
    assert (tmp_path / "a" / "b").is_dir()
    store.check()


def test_local_listing_skips_writes_in_progress_and_planted_links(local_store, tmp_path):
    local_store.put_stream("r/a/hls/seg1.ts", io.BytesIO(b"1"))
    (local_store.root / "r/a/hls/.tmp-abc.part").write_bytes(b"half")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    os.symlink(outside / "secret", local_store.root / "r/a/hls/link")
    os.symlink(outside, local_store.root / "r/a/hls/dirlink")
    assert [i.key for i in local_store.list_prefix("r/a/hls")] == ["r/a/hls/seg1.ts"]


def test_local_delete_prefix_never_reaches_through_a_link(local_store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    local_store.put_stream("r/b/hls/seg1.ts", io.BytesIO(b"1"))
    os.symlink(outside, local_store.root / "r/b/hls/dirlink")
    assert local_store.delete_prefix("r/b/hls") == 1
    assert (outside / "secret").read_bytes() == b"secret"
    assert not (local_store.root / "r/b/hls").exists()
    with pytest.raises(InvalidKey):  # a prefix that is itself a link out of the store
        os.symlink(outside, local_store.root / "r/b/out")
        local_store.delete_prefix("r/b/out")
    assert (outside / "secret").exists()
