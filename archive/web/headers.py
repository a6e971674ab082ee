"""The headers every HTML page carries, the error pages of unrouted paths included."""
from __future__ import annotations

from flask import Response

from archive.backends import storage

# Everything the pages load is ours; no inline script, so injected markup cannot run. With S3
# storage, media, images and HLS segments come from the store by presigned URLs: its public
# origin (`BlobStorage.public_origin`) is allowed for those (and only those) fetches.
CSP = ("default-src 'self'; img-src 'self' data: blob:{store}; media-src 'self' blob:{store}; style-src 'self'; "
       "script-src 'self'; connect-src 'self'{store}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


def content_security_policy(store_origin: str | None) -> str:
    """The policy, allowing `store_origin` (the blob store's public origin, None for none)."""
    return CSP.format(store=f" {store_origin}" if store_origin else "")


def page_headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", content_security_policy(storage().public_origin))
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp
