"""S3_PUBLIC_ENDPOINT: presigned URLs name the address browsers reach, and work there.

Against the real SeaweedFS the suite starts. The "public" address is another way to the
same server, as a reverse proxy or a published container port is: `localhost` instead of
127.0.0.1, and a TCP forwarder on another port (the Host header a browser sends then names
the forwarder, which is what the signature must cover). `internal_url`, for the archive's own
ffmpeg, names S3_ENDPOINT whatever the public address is.
"""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import requests

from archive.storage.interfaces import StorageError
from archive.storage.s3 import S3BlobStorage
from tests.forwarding import Forwarder

DATA = bytes(range(256)) * 64


@pytest.fixture
def forwarder(s3_server):
    host, port = s3_server.endpoint.rsplit(":", 1)
    fwd = Forwarder((host, int(port)))
    yield fwd
    fwd.close()


def _store(s3_config, public: str) -> S3BlobStorage:
    return S3BlobStorage.from_config({**s3_config, "S3_PUBLIC_ENDPOINT": public})


@pytest.mark.s3
def test_without_a_public_endpoint_urls_name_the_internal_one(s3_config, s3_server):
    store = S3BlobStorage.from_config(s3_config)
    store.put_stream("p/a", io.BytesIO(DATA))
    assert urlsplit(store.presigned_url("p/a", expires=60)).netloc == s3_server.endpoint


@pytest.mark.s3
def test_presigned_url_names_the_public_host_and_works_there(s3_config, s3_server):
    port = s3_server.endpoint.rsplit(":", 1)[1]
    store = _store(s3_config, f"http://localhost:{port}")
    store.put_stream("p/clip.mp4", io.BytesIO(DATA), content_type="video/mp4")
    url = store.presigned_url("p/clip.mp4", expires=300, filename="Xəbərlər.mp4")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", f"localhost:{port}")
    assert s3_server.endpoint not in url
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200 and resp.content == DATA
    assert "filename*=UTF-8''X%C9%99b%C9%99rl%C9%99r.mp4" in resp.headers["Content-Disposition"]


@pytest.mark.s3
def test_presigned_url_through_a_proxy_on_another_port(s3_config, forwarder):
    store = _store(s3_config, f"127.0.0.1:{forwarder.port}")
    store.put_stream("p/b", io.BytesIO(DATA))
    url = store.presigned_url("p/b", expires=300)
    assert urlsplit(url).netloc == f"127.0.0.1:{forwarder.port}"
    resp = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=30)
    assert resp.status_code == 206 and resp.content == DATA[100:200]
    # The signature covers the public host: the same URL sent to the internal address fails.
    internal = url.replace(f"127.0.0.1:{forwarder.port}", s3_config["S3_ENDPOINT"].split("://")[1])
    assert requests.get(internal, timeout=30).status_code == 403


@pytest.mark.s3
def test_the_public_endpoint_is_only_used_to_sign(s3_config):
    """Nothing is sent to the public address: a name that does not resolve in here still works."""
    store = _store(s3_config, "https://media.ortak.invalid")
    store.put_stream("p/c", io.BytesIO(DATA))
    assert store.stat("p/c").size == len(DATA)
    url = store.presigned_url("p/c", expires=60)
    assert url.startswith("https://media.ortak.invalid/")


@pytest.mark.parametrize("bad", ["ftp://media.example.org", "https://media.example.org/s3/", "http://"])
def test_a_bad_public_endpoint_fails_at_start_naming_the_setting(s3_config, bad):
    with pytest.raises(StorageError, match="S3_PUBLIC_ENDPOINT"):
        _store(s3_config, bad)


@pytest.mark.s3
def test_internal_urls_name_the_internal_endpoint_and_read_ranges(s3_config, s3_server):
    """The public name does not resolve in here; ffmpeg in here gets a URL for S3_ENDPOINT."""
    store = _store(s3_config, "https://media.ortak.invalid")
    store.put_stream("p/d", io.BytesIO(DATA))
    url = store.internal_url("p/d", expires=60)
    assert urlsplit(url).netloc == s3_server.endpoint and "media.ortak.invalid" not in url
    resp = requests.get(url, headers={"Range": "bytes=1000-"}, timeout=30)
    assert resp.status_code == 206 and resp.content == DATA[1000:]
    # Signed for that key alone, as a presigned URL is.
    store.put_stream("p/e", io.BytesIO(b"e"))
    assert requests.get(url.replace("/p/d?", "/p/e?"), timeout=30).status_code == 403
