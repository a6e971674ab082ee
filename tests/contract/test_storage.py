"""One BlobStorage contract, run against every backend that runs here.

Local-only behaviour (renames, symlinks, temp files) is in tests/unit/storage/test_local.py.

`local` is LocalBlobStorage in a temp directory; `s3` is S3BlobStorage on a real SeaweedFS
server (tests/seaweed.py) with a fresh bucket per test and the smallest S3 part size, so
multipart uploads happen with modest data.
"""
from __future__ import annotations

import gc
import hashlib
import io
import time
import tracemalloc

import pytest
import requests

from archive.filenames import content_disposition
from archive.storage import BlobNotFound, InvalidKey, StorageError
from archive.storage.local import LocalBlobStorage
from archive.storage.s3 import MIN_PART_SIZE, S3BlobStorage

MiB = 1024 * 1024
DATA = bytes(range(256)) * 40 + b"tail"  # 10244 bytes, every byte value, odd length

HOSTILE_KEYS = [
    "../x", "/etc/passwd", "a/../../b", "a\\b", "a\x00b", "", "a//b", "a/./b", ".", "..",
    "a/", "x" * 513, "a b", "a/b?c", "ş/ğ", "%2e%2e/x",
]


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def blob_store(request, tmp_path):
    if request.param == "local":
        return LocalBlobStorage(tmp_path / "blobs")
    config = request.getfixturevalue("s3_config")
    return S3BlobStorage.from_config(config, part_size=MIN_PART_SIZE)


@pytest.fixture
def s3_store(s3_config):
    return S3BlobStorage.from_config(s3_config, part_size=MIN_PART_SIZE)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_all(store, key, *args, **kwargs) -> bytes:
    return b"".join(store.open_range(key, *args, **kwargs))


class GeneratedStream:
    """`size` bytes of varied data made on demand, hashed as it is produced."""

    def __init__(self, size: int, chunk: int = 256 * 1024):
        self.remaining = size
        self.chunk = chunk
        self.counter = 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        # Short reads on purpose, like a socket: the backend must cope.
        n = min(self.chunk, self.remaining) if n is None or n < 0 else min(n, self.chunk, self.remaining)
        self.counter += 1
        block = hashlib.sha256(self.counter.to_bytes(8, "big")).digest()
        data = (block * (n // 32 + 1))[:n]
        self.remaining -= n
        self.digest.update(data)
        return data


class FailingStream(io.RawIOBase):
    def __init__(self, good: int):
        self.good = good

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.good <= 0:
            raise ConnectionResetError("client went away")
        n = self.good if n is None or n < 0 else min(n, self.good)
        self.good -= n
        return b"x" * n


# ---- writes --------------------------------------------------------------------------------

def test_put_stream_round_trip(blob_store):
    info = blob_store.put_stream("assets/ab/original.bin", io.BytesIO(DATA), content_type="video/mp4")
    assert info.key == "assets/ab/original.bin"
    assert info.size == len(DATA)
    assert info.sha256 == sha(DATA)
    assert read_all(blob_store, "assets/ab/original.bin") == DATA
    assert blob_store.exists("assets/ab/original.bin")
    assert blob_store.stat("assets/ab/original.bin").size == len(DATA)


def test_put_stream_with_length(blob_store):
    info = blob_store.put_stream("k/with-length", io.BytesIO(DATA), length=len(DATA))
    assert (info.size, info.sha256) == (len(DATA), sha(DATA))


def test_put_stream_empty(blob_store):
    info = blob_store.put_stream("k/empty", io.BytesIO(b""))
    assert (info.size, info.sha256) == (0, sha(b""))
    assert blob_store.stat("k/empty").size == 0
    assert read_all(blob_store, "k/empty") == b""


def test_put_stream_shorter_than_length_is_not_stored(blob_store):
    with pytest.raises(StorageError, match="expected"):
        blob_store.put_stream("k/short", io.BytesIO(DATA), length=len(DATA) + 10)
    assert not blob_store.exists("k/short")


def test_put_stream_longer_than_length_is_not_stored(blob_store):
    with pytest.raises(StorageError):
        blob_store.put_stream("k/long", io.BytesIO(DATA), length=len(DATA) - 10)
    assert not blob_store.exists("k/long")


def test_failed_stream_leaves_nothing(blob_store):
    # The caller's own stream error comes back unchanged: it is not the store's failure.
    with pytest.raises(ConnectionResetError):
        blob_store.put_stream("k/broken", FailingStream(3 * MiB))
    with pytest.raises(ConnectionResetError):
        blob_store.put_stream("k/broken", FailingStream(12 * MiB))  # fails after a part went up
    assert not blob_store.exists("k/broken")


def test_put_file_copies(blob_store, tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(DATA)
    info = blob_store.put_file("k/file", str(src), content_type="image/png")
    assert (info.size, info.sha256) == (len(DATA), sha(DATA))
    assert src.read_bytes() == DATA
    assert read_all(blob_store, "k/file") == DATA


def test_put_file_move_takes_the_file(blob_store, tmp_path):
    src = tmp_path / "moved.bin"
    src.write_bytes(DATA)
    info = blob_store.put_file("k/moved", str(src), move=True)
    assert info.sha256 == sha(DATA)
    assert not src.exists()
    assert read_all(blob_store, "k/moved") == DATA


def test_put_file_with_known_hash(blob_store, tmp_path):
    src = tmp_path / "hashed.bin"
    src.write_bytes(DATA)
    info = blob_store.put_file("k/hashed", str(src), sha256=sha(DATA), move=True)
    assert (info.size, info.sha256) == (len(DATA), sha(DATA))
    assert read_all(blob_store, "k/hashed") == DATA


def test_put_file_missing_source(blob_store, tmp_path):
    with pytest.raises(StorageError):
        blob_store.put_file("k/none", str(tmp_path / "absent"))


def test_large_stream_is_multipart_in_bounded_memory(blob_store):
    size = 40 * MiB + 123
    stream = GeneratedStream(size)
    gc.collect()
    tracemalloc.start()
    try:
        info = blob_store.put_stream("big/stream.bin", stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == size
    assert info.sha256 == stream.digest.hexdigest()
    # S3 holds one part (5 MiB here) plus a copy or two; local holds one chunk.
    assert peak < 20 * MiB, f"peak {peak / MiB:.1f} MiB for a {size / MiB:.0f} MiB upload"
    assert blob_store.stat("big/stream.bin").size == size
    digest = hashlib.sha256()
    for chunk in blob_store.open_range("big/stream.bin"):
        digest.update(chunk)
    assert digest.hexdigest() == info.sha256


# ---- reads ---------------------------------------------------------------------------------

@pytest.mark.parametrize("start,end", [
    (0, 0), (0, 99), (1000, 1999), (len(DATA) - 1, len(DATA) - 1), (len(DATA) - 1, None),
    (0, None), (5000, None), (0, len(DATA) - 1), (100, len(DATA) + 500),
])
def test_open_range_is_inclusive(blob_store, start, end):
    blob_store.put_stream("r/blob", io.BytesIO(DATA))
    expected = DATA[start:] if end is None else DATA[start:end + 1]
    assert read_all(blob_store, "r/blob", start, end) == expected


def test_open_range_yields_chunks(blob_store):
    blob_store.put_stream("r/chunks", io.BytesIO(DATA))
    chunks = list(blob_store.open_range("r/chunks", 10, 5009, chunk_size=1000))
    assert b"".join(chunks) == DATA[10:5010]
    assert len(chunks) >= 5
    assert all(len(c) <= 1000 for c in chunks)


def test_open_range_past_the_end_is_empty(blob_store):
    blob_store.put_stream("r/short", io.BytesIO(b"abc"))
    assert read_all(blob_store, "r/short", 10) == b""


def test_open_range_rejects_backwards_range(blob_store):
    blob_store.put_stream("r/b", io.BytesIO(b"abc"))
    with pytest.raises(ValueError):
        blob_store.open_range("r/b", 2, 1)


def test_abandoned_range_reads_do_not_leak(blob_store):
    blob_store.put_stream("r/many", io.BytesIO(DATA))
    # More abandoned reads than the S3 connection pool holds; each must give its connection back.
    for _ in range(25):
        it = iter(blob_store.open_range("r/many", chunk_size=100))
        assert next(it) == DATA[:100]
        close = getattr(it, "close", None)
        if close:
            close()
    assert read_all(blob_store, "r/many") == DATA


def test_range_body_closed_before_iteration_releases_everything(blob_store):
    blob_store.put_stream("r/unread", io.BytesIO(DATA))
    body = blob_store.open_range("r/unread")
    body.close()  # what a WSGI server does for HEAD or a vanished client
    assert list(body) == []
    never_closed = blob_store.open_range("r/unread")
    # Dropped without close(): must not leak an open file (a ResourceWarning is an error here).
    del never_closed
    gc.collect()
    assert read_all(blob_store, "r/unread") == DATA


def test_missing_blob(blob_store, tmp_path):
    with pytest.raises(BlobNotFound):
        blob_store.stat("nope/missing")
    with pytest.raises(BlobNotFound):
        blob_store.open_range("nope/missing")
    with pytest.raises(BlobNotFound):
        blob_store.download_to("nope/missing", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.glob(".out*")) == []
    assert blob_store.exists("nope/missing") is False


def test_delete(blob_store):
    blob_store.put_stream("d/x", io.BytesIO(b"x"))
    blob_store.delete("d/x")
    assert not blob_store.exists("d/x")
    with pytest.raises(BlobNotFound):
        blob_store.stat("d/x")
    blob_store.delete("d/x")  # absent: not an error
    blob_store.delete("d/never-existed")


def test_download_to(blob_store, tmp_path):
    blob_store.put_stream("dl/x.mp4", io.BytesIO(DATA))
    out = tmp_path / "x.mp4"
    blob_store.download_to("dl/x.mp4", str(out))
    assert out.read_bytes() == DATA


def test_check_passes(blob_store):
    blob_store.check()


def test_stat_reports_size(blob_store):
    blob_store.put_stream("s/x", io.BytesIO(DATA), content_type="video/mp4")
    info = blob_store.stat("s/x")
    assert (info.key, info.size) == ("s/x", len(DATA))


# ---- several files under one prefix ----------------------------------------------------------

def _tree(root, files: dict[str, bytes]):
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


HLS = {"master.m3u8": b"#EXTM3U\n", "v0/index.m3u8": b"#EXTM3U\n#EXT-X-VERSION:7\n",
       "v0/init.mp4": DATA, "v0/seg_00001.m4s": DATA[::-1], "a0/seg_00001.m4s": b"a" * 300}


def test_put_tree_stores_every_file_with_its_own_hash(blob_store, tmp_path):
    tree = _tree(tmp_path / "out", HLS)
    types = {"m3u8": "application/vnd.apple.mpegurl"}
    infos = blob_store.put_tree("r/a1/hls", tree, content_type=lambda rel: types.get(rel.rsplit(".", 1)[-1]))
    assert [i.key for i in infos] == sorted(f"r/a1/hls/{rel}" for rel in HLS)
    for info in infos:
        data = HLS[info.key.removeprefix("r/a1/hls/")]
        assert (info.size, info.sha256) == (len(data), sha(data))
        assert read_all(blob_store, info.key) == data
    assert infos[2].content_type == "application/vnd.apple.mpegurl"  # master.m3u8
    assert (tree / "master.m3u8").exists()  # copied, not moved, unless asked


def test_put_tree_move_takes_the_files(blob_store, tmp_path):
    tree = _tree(tmp_path / "out", HLS)
    blob_store.put_tree("r/a2/hls", tree, move=True)
    assert not [p for p in tree.rglob("*") if p.is_file()]
    assert read_all(blob_store, "r/a2/hls/v0/init.mp4") == DATA


def test_put_tree_refuses_a_bad_file_name_before_writing_anything(blob_store, tmp_path):
    tree = _tree(tmp_path / "out", {"a.ts": b"a", "b c.ts": b"b"})
    with pytest.raises(InvalidKey):
        blob_store.put_tree("r/a3", tree)
    assert list(blob_store.list_prefix("r/a3")) == []


def test_list_prefix_lists_only_what_is_under_it(blob_store, tmp_path):
    blob_store.put_tree("r/a4/hls", _tree(tmp_path / "one", HLS))
    blob_store.put_stream("r/a4/hls2/x", io.BytesIO(b"sibling"))
    blob_store.put_stream("r/a4/hlsx", io.BytesIO(b"sibling"))
    listed = list(blob_store.list_prefix("r/a4/hls"))
    assert [i.key for i in listed] == sorted(f"r/a4/hls/{rel}" for rel in HLS)
    assert {i.key: i.size for i in listed}["r/a4/hls/v0/init.mp4"] == len(DATA)
    assert list(blob_store.list_prefix("r/nothing-here")) == []


def test_delete_prefix_removes_the_tree_and_nothing_else(blob_store, tmp_path):
    blob_store.put_tree("r/a5/hls", _tree(tmp_path / "one", HLS))
    blob_store.put_stream("r/a5/hls2/x", io.BytesIO(b"sibling"))
    assert blob_store.delete_prefix("r/a5/hls") == len(HLS)
    assert list(blob_store.list_prefix("r/a5/hls")) == []
    assert not blob_store.exists("r/a5/hls/master.m3u8")
    assert read_all(blob_store, "r/a5/hls2/x") == b"sibling"
    assert blob_store.delete_prefix("r/a5/hls") == 0


def test_delete_prefix_in_several_batches(blob_store, tmp_path, monkeypatch):
    import archive.storage.s3 as s3

    monkeypatch.setattr(s3, "DELETE_BATCH", 2)
    files = {f"s{i:03d}.ts": bytes([i]) for i in range(7)}
    blob_store.put_tree("r/a6", _tree(tmp_path / "many", files))
    assert blob_store.delete_prefix("r/a6") == 7
    assert list(blob_store.list_prefix("r/a6")) == []


# ---- hostile keys --------------------------------------------------------------------------

@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=repr)
def test_hostile_keys_are_refused_before_any_io(blob_store, key, tmp_path):
    src = tmp_path / "src"
    src.write_bytes(b"data")
    calls = [
        lambda: blob_store.put_stream(key, io.BytesIO(b"data")),
        lambda: blob_store.put_file(key, str(src)),
        lambda: blob_store.open_range(key),
        lambda: blob_store.stat(key),
        lambda: blob_store.exists(key),
        lambda: blob_store.delete(key),
        lambda: blob_store.download_to(key, str(tmp_path / "out")),
        lambda: blob_store.local_path(key),
        lambda: blob_store.presigned_url(key, expires=60),
        lambda: blob_store.internal_url(key, expires=60),
        lambda: blob_store.list_prefix(key),  # refused when called, not when first iterated
        lambda: blob_store.delete_prefix(key),
        lambda: blob_store.put_tree(key, tmp_path),
    ]
    for call in calls:
        with pytest.raises(InvalidKey):
            call()
    assert src.exists()
    assert not (tmp_path / "out").exists()


def test_longest_key_is_accepted(blob_store):
    key = "/".join(["a" * 63] * 8)  # 511 characters
    blob_store.put_stream(key, io.BytesIO(b"ok"))
    assert read_all(blob_store, key) == b"ok"


# ---- S3 only -------------------------------------------------------------------------------

@pytest.mark.s3
def test_s3_has_no_local_path(s3_store):
    s3_store.put_stream("p/x", io.BytesIO(b"x"))
    assert s3_store.local_path("p/x") is None


def test_local_has_no_internal_url(tmp_path):
    store = LocalBlobStorage(tmp_path / "blobs")
    store.put_stream("p/x", io.BytesIO(b"x"))
    assert store.internal_url("p/x", expires=60) is None


@pytest.mark.s3
def test_s3_creates_its_bucket(s3_config):
    store = S3BlobStorage.from_config(s3_config)
    assert store.client.bucket_exists(s3_config["S3_BUCKET"])


@pytest.mark.s3
@pytest.mark.parametrize("change", [
    {"S3_SECRET_KEY": "wrong-secret"},
    {"S3_ACCESS_KEY": "NOSUCHACCESSKEY"},
], ids=["wrong-secret", "unknown-access-key"])
def test_s3_wrong_credentials(s3_config, s3_store, change):
    s3_store.put_stream("c/x", io.BytesIO(b"x"))
    bad = S3BlobStorage.from_config({**s3_config, **change})
    with pytest.raises(StorageError) as err:
        bad.check()
    assert not isinstance(err.value, BlobNotFound)
    assert "S3_ACCESS_KEY" in str(err.value)
    for call in (lambda: bad.stat("c/x"), lambda: bad.put_stream("c/y", io.BytesIO(b"y")),
                 lambda: bad.open_range("c/x"), lambda: bad.delete("c/x"), lambda: bad.exists("c/x")):
        with pytest.raises(StorageError) as err:
            call()
        assert not isinstance(err.value, BlobNotFound)
    assert read_all(s3_store, "c/x") == b"x"


@pytest.mark.s3
def test_s3_unreachable_endpoint(s3_config):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = S3BlobStorage.from_config({**s3_config, "S3_ENDPOINT": f"127.0.0.1:{port}"})
    with pytest.raises(StorageError, match="unreachable"):
        store.check()
    with pytest.raises(StorageError):
        store.stat("a/b")


@pytest.mark.s3
def test_s3_presigned_url_downloads(s3_store):
    s3_store.put_stream("v/clip.mp4", io.BytesIO(DATA), content_type="video/mp4")
    url = s3_store.presigned_url("v/clip.mp4", expires=300, filename="Xəbərlər İstanbul.mp4")
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200
    assert resp.content == DATA
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''X%C9%99b%C9%99rl%C9%99r%20%C4%B0stanbul.mp4" in disposition
    # The same header a local download sends: one ASCII fallback for both backends.
    assert disposition == content_disposition("Xəbərlər İstanbul.mp4")
    ranged = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == DATA[10:20]


@pytest.mark.s3
def test_s3_presigned_url_expires(s3_store):
    s3_store.put_stream("v/short", io.BytesIO(b"x"))
    url = s3_store.presigned_url("v/short", expires=1)
    time.sleep(2.5)
    assert requests.get(url, timeout=30).status_code == 403


@pytest.mark.s3
def test_s3_presigned_url_is_bound_to_its_key(s3_store):
    s3_store.put_stream("v/a", io.BytesIO(b"a"))
    s3_store.put_stream("v/b", io.BytesIO(b"b"))
    url = s3_store.presigned_url("v/a", expires=60)
    assert requests.get(url.replace("/v/a?", "/v/b?"), timeout=30).status_code == 403


@pytest.mark.s3
def test_create_app_with_s3_storage(app_config, s3_config):
    from archive import backends, create_app

    app = create_app({**app_config, **s3_config})
    try:
        with app.app_context():
            store = backends.storage()
            assert isinstance(store, S3BlobStorage)
            store.check()
            info = store.put_stream("app/x", io.BytesIO(DATA))
            assert info.sha256 == sha(DATA)
            assert read_all(store, "app/x") == DATA
    finally:
        app.extensions["ortak.db"].dispose()


@pytest.mark.s3
def test_create_app_starts_with_wrong_s3_credentials_and_health_says_so(app_config, s3_config):
    from archive import backends, create_app

    # CLI commands that never touch blobs must still run; the store's failure is reported.
    app = create_app({**app_config, **s3_config, "S3_SECRET_KEY": "wrong-secret"})
    try:
        with app.app_context():
            with pytest.raises(StorageError, match="refused"):
                backends.storage().check()
        resp = app.test_client().get("/healthz")
        assert resp.status_code == 503
        assert resp.get_json()["checks"]["storage"]["ok"] is False
    finally:
        app.extensions["ortak.db"].dispose()
