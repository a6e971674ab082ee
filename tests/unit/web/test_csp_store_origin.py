"""The pages' Content-Security-Policy lets presigned S3 URLs load (media, images, HLS fetches):
the storage backend says where they come from (`BlobStorage.public_origin`)."""
import pytest
from minio import Minio

from archive.storage.errors import StorageError
from archive.storage.local import LocalBlobStorage
from archive.storage.s3 import S3BlobStorage
from archive.web.headers import content_security_policy


@pytest.mark.parametrize("config, origin", [
    ({"S3_ENDPOINT": "minio:9000", "S3_SECURE": False}, "http://minio:9000"),
    ({"S3_ENDPOINT": "minio:9000", "S3_SECURE": True}, "https://minio:9000"),
    ({"S3_ENDPOINT": "minio:9000", "S3_PUBLIC_ENDPOINT": "https://media.example.org"}, "https://media.example.org"),
    ({"S3_ENDPOINT": "https://minio:9000", "S3_PUBLIC_ENDPOINT": "cdn.example.org:8443"}, "https://cdn.example.org:8443"),
    ({"S3_ENDPOINT": "http://127.0.0.1:8333/"}, "http://127.0.0.1:8333"),
])
def test_the_s3_store_names_the_origin_of_its_presigned_urls(config, origin):
    assert S3BlobStorage.origin_of(config) == origin
    store = S3BlobStorage(Minio("minio:9000", access_key="a", secret_key="b", secure=False), "b",
                          public_origin=S3BlobStorage.origin_of(config))
    assert store.public_origin == origin


def test_an_unusable_public_endpoint_is_a_storage_error():
    with pytest.raises(StorageError):
        S3BlobStorage.origin_of({"S3_ENDPOINT": "minio:9000", "S3_PUBLIC_ENDPOINT": "ftp://media.example.org"})


def test_local_storage_has_no_public_origin(tmp_path):
    assert LocalBlobStorage(str(tmp_path)).public_origin is None


def test_the_policy_names_the_store_only_where_media_is_fetched():
    local = content_security_policy(None)
    assert "media-src 'self' blob:;" in local and "connect-src 'self';" in local
    s3 = content_security_policy("https://s3.example.org")
    for directive in ("img-src 'self' data: blob: https://s3.example.org;", "media-src 'self' blob: https://s3.example.org;",
                      "connect-src 'self' https://s3.example.org;"):
        assert directive in s3
    assert "script-src 'self';" in s3 and "default-src 'self';" in s3


def test_pages_carry_the_policy_of_the_configured_store(app, client, monkeypatch):
    assert "media-src 'self' blob:;" in client.get("/login").headers["Content-Security-Policy"]
    monkeypatch.setattr(app.extensions["ortak.storage"], "public_origin", "https://media.example.org")
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert "media-src 'self' blob: https://media.example.org;" in csp
    monkeypatch.undo()
    assert "media-src 'self' blob:;" in client.get("/login").headers["Content-Security-Policy"]
