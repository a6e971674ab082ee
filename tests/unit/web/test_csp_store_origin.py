"""The pages' Content-Security-Policy lets presigned S3 URLs load (media, images, HLS fetches)."""
import pytest

from archive.web.headers import content_security_policy, store_origin


@pytest.mark.parametrize("config, origin", [
    ({"STORAGE": "local"}, None),
    ({"STORAGE": "s3", "S3_ENDPOINT": "minio:9000", "S3_SECURE": False}, "http://minio:9000"),
    ({"STORAGE": "s3", "S3_ENDPOINT": "minio:9000", "S3_SECURE": True}, "https://minio:9000"),
    ({"STORAGE": "s3", "S3_ENDPOINT": "minio:9000", "S3_PUBLIC_ENDPOINT": "https://media.example.org"},
     "https://media.example.org"),
    ({"STORAGE": "s3", "S3_ENDPOINT": "http://127.0.0.1:8333/"}, "http://127.0.0.1:8333"),
])
def test_store_origin(config, origin):
    assert store_origin(config) == origin


def test_the_policy_names_the_store_only_where_media_is_fetched():
    local = content_security_policy({"STORAGE": "local"})
    assert "media-src 'self' blob:;" in local and "connect-src 'self';" in local
    s3 = content_security_policy({"STORAGE": "s3", "S3_ENDPOINT": "https://s3.example.org"})
    for directive in ("img-src 'self' data: blob: https://s3.example.org;", "media-src 'self' blob: https://s3.example.org;",
                      "connect-src 'self' https://s3.example.org;"):
        assert directive in s3
    assert "script-src 'self';" in s3 and "default-src 'self';" in s3
