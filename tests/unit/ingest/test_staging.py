"""The per-process hash cache and the staged-file lock."""
import hashlib
import threading

import pytest

from archive.errors import ApiError
from archive.ingest import staging


def test_cache_hits_only_at_the_same_offset():
    cache = staging.HashCache()
    h = hashlib.sha256(b"abc")
    cache.put("u1", 3, h)
    assert cache.take("u1", 2) is None  # a wrong offset is a miss and forgets the entry
    assert cache.take("u1", 3) is None and cache.misses == 2
    cache.put("u1", 3, h)
    assert cache.take("u1", 3) is h
    assert cache.take("u1", 3) is None  # taken, not copied: one writer owns it


def test_cache_is_bounded():
    cache = staging.HashCache(max_entries=3)
    for i in range(5):
        cache.put(f"u{i}", i, hashlib.sha256())
    assert cache.take("u0", 0) is None and cache.take("u4", 4) is not None


def test_hash_prefix(tmp_path):
    path = tmp_path / "staged"
    data = bytes(range(256)) * 9000
    path.write_bytes(data)
    assert staging.hash_prefix(path, 1000).hexdigest() == hashlib.sha256(data[:1000]).hexdigest()
    with pytest.raises(ApiError):
        staging.hash_prefix(path, len(data) + 1)


def test_lock_excludes_a_second_writer_in_the_same_process(tmp_path):
    path = tmp_path / "staged"
    path.write_bytes(b"")
    inside, release = threading.Event(), threading.Event()

    def hold():
        with staging.locked_for_append(path):
            inside.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    try:
        assert inside.wait(10)
        with pytest.raises(ApiError) as err:
            with staging.locked_for_append(path):
                pass
        assert err.value.status == 423
    finally:
        release.set()
        t.join()
    with staging.locked_for_append(path) as fh:
        fh.write(b"ok")
    assert path.read_bytes() == b"ok"


def test_lock_does_not_recreate_a_removed_file(tmp_path):
    with pytest.raises(ApiError) as err:
        with staging.locked_for_append(tmp_path / "gone"):
            pass
    assert err.value.status == 410
    assert not (tmp_path / "gone").exists()
