"""The styled, translated error page for every HTTP error a browser meets (404, 405, 500...).

API paths and clients that ask for JSON keep the JSON error shape (archive.errors); for the
others, archive.errors calls `http_error_page` (registered as app.extensions["ortak.error_page"]),
and the web blueprint's own handlers call `error_page`.
"""
from __future__ import annotations

import logging

from flask import Response, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from archive.web.headers import page_headers

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be read."),
    403: _l("You are not allowed to do this."),
    404: _l("There is no such page."),
    405: _l("This page cannot be used this way."),
    410: _l("This is no longer available."),
    413: _l("What was sent is larger than the server accepts."),
    414: _l("The address is too long."),
    # A Range past the end of a file (Werkzeug's for static files; messages.API_ERRORS has the same
    # sentence for range_not_satisfiable, the downloads' and zips' 416).
    416: _l("The part of the file asked for starts past its end: download it again from the start."),
    429: _l("Too many attempts; wait a moment and try again."),
    431: _l("The request's headers are too large."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
    503: _l("The service is not available just now; please try again in a moment."),
}
# Headers an error must keep (405 names the allowed methods; 401 the scheme; 416 the range).
_KEPT_HEADERS = ("allow", "www-authenticate", "content-range", "retry-after")


def error_page(status: int, message: str | None = None, detail: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    """The error page: `message` (translated) or the status's own; `detail` in small print."""
    text = message or str(MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    try:
        body = render_template("error.html", status=status, message=text, detail=detail)
    except Exception:  # e.g. the database is down and the page's header needs the user
        log.exception("the error page for %s could not be rendered; a plain one was sent", status)
        body = (f'<!doctype html><html><head><meta charset="utf-8"><title>{status} · Ortak</title>'
                f'<link rel="stylesheet" href="/static/web/ortak.css"></head><body><main class="page">'
                f'<section class="card narrow"><h1>{status}</h1><p>{escape(text)}</p>'
                f'<p><a href="/">{escape(_("Back to the archive"))}</a></p></section></main></body></html>')
    resp = make_response(body, status)
    resp.headers.update(headers or {})
    return page_headers(resp)


def http_error_page(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() in _KEPT_HEADERS}
    return error_page(status, headers=headers)
