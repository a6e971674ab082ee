"""The headers every HTML page carries, the error pages of unrouted paths included."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app

# Everything the pages load is ours; no inline script, so injected markup cannot run. With S3
# storage, media, images and HLS segments come from the store by presigned URLs: its public
# origin is allowed for those (and only those) fetches.
CSP = ("default-src 'self'; img-src 'self' data: blob:{store}; media-src 'self' blob:{store}; style-src 'self'; "
       "script-src 'self'; connect-src 'self'{store}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


def store_origin(config) -> str | None:
    """The origin browsers fetch presigned URLs from (S3_PUBLIC_ENDPOINT, else S3_ENDPOINT;
    https when the URL says so or S3_SECURE), or None with local storage."""
    if config.get("STORAGE") != "s3":
        return None
    endpoint = str(config.get("S3_PUBLIC_ENDPOINT") or config.get("S3_ENDPOINT") or "")
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else None
    endpoint = endpoint.strip("/")
    return f"{'https' if config.get('S3_SECURE') else 'http'}://{endpoint}" if endpoint else None


def content_security_policy(config) -> str:
    origin = store_origin(config)
    return CSP.format(store=f" {origin}" if origin else "")


def page_headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", content_security_policy(current_app.config))
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp
