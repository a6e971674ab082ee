"""The HTTP server (gunicorn) as Ortak runs it: limits, logs, control socket, error answers.

`ortak serve` execs gunicorn with the config module `archive.gunicorn_conf`, which takes
every value from `gunicorn_settings(config)` below, so the settings are data a test can read.

Limits (the documented maxima; the tus endpoint advertises what fits in them):
- the request line (method, URL, version) at most REQUEST_LINE_MAX, gunicorn's own maximum;
- each header field (name, value, CRLF) at most MAX_HEADER_BYTES (`Upload-Metadata` of a
  tus upload carries the whole metadata, base64-encoded);
- at most HEADER_FIELDS_MAX header fields.

gunicorn answers a request it cannot parse (over a limit, malformed) itself, before the
app sees it, with an HTML page. `JsonErrorWorker` keeps gunicorn's classification and
status but answers in Ortak's error shape, `{"error": {"code", "message", "details"}}`.
"""
from __future__ import annotations

import json
import os
from typing import Any, Mapping

from gunicorn import glogging, util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker
from werkzeug.exceptions import default_exceptions

from archive.api.limits import HEADER_FIELDS_MAX, REQUEST_LINE_MAX, header_bytes_limit
from archive.errors import error_body
from archive.logs import make_formatter

THREADS = 8
# sun_path of a Unix socket holds 108 bytes on Linux, the terminating NUL included.
MAX_UNIX_SOCKET_PATH = 107
CONTROL_SOCKET = "gunicorn.ctl"
MAX_DETAIL = 200  # characters of gunicorn's own description quoted back to the client


def control_socket(data_dir: str) -> str | None:
    """The gunicorn control socket of this archive (for `gunicornc -s`), or None when the
    data directory's path is too long for a Unix socket."""
    path = os.path.join(os.path.abspath(data_dir), CONTROL_SOCKET)
    return path if len(path.encode()) <= MAX_UNIX_SOCKET_PATH else None


def gunicorn_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """gunicorn settings (names as in its config file) for an Ortak config."""
    settings: dict[str, Any] = {
        "bind": [f"{config['HOST']}:{config['PORT']}"],
        "worker_class": "archive.server.JsonErrorWorker",
        "threads": THREADS,
        "timeout": 0,  # uploads and downloads stream for as long as they take
        "graceful_timeout": 10,
        # The app checks the same limits again (archive.api.limits): one answer whatever serves it.
        "limit_request_line": REQUEST_LINE_MAX,
        "limit_request_fields": HEADER_FIELDS_MAX,
        "limit_request_field_size": header_bytes_limit(config),
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": str(config["LOG_LEVEL"]).lower(),
        # Whom to believe about the client (X-Forwarded-For/-Proto...) is the app's decision
        # (ORTAK_TRUSTED_PROXIES, Werkzeug's ProxyFix): gunicorn's own defaults would believe
        # any client on loopback that claims https.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
    }
    if config["LOG_FORMAT"] == "json":
        settings["logger_class"] = "archive.server.JsonLogger"
    # gunicorn's default control socket is one per user ($XDG_RUNTIME_DIR or ~/.gunicorn):
    # a second server on the machine would take it over. One per data directory instead.
    socket_path = control_socket(config["DATA_DIR"])
    if socket_path is None:
        settings["control_socket_disable"] = True
    else:
        settings["control_socket"] = socket_path
    return settings


def _error_code(status: int) -> str:
    # The same codes the app gives Werkzeug's HTTP errors (archive.errors): the status's name.
    exc = default_exceptions.get(status)
    return exc().name.lower().replace(" ", "_") if exc else "bad_request"


def explain(exc: BaseException, status: int, cfg: Any) -> tuple[str, str, dict[str, Any]]:
    """The code, message and details of gunicorn's refusal of a request, for the client: the
    same codes the app answers for the same limits (archive.api.limits)."""
    if isinstance(exc, LimitRequestLine):
        limit = cfg.limit_request_line
        return ("uri_too_long", f"The request line (method, URL and HTTP version) is longer than {limit} bytes.",
                {"limit": limit})
    if isinstance(exc, LimitRequestHeaders):
        if str(exc) == "limit request headers fields":  # gunicorn's wording for too many fields
            return ("too_many_headers", f"A request may have at most {cfg.limit_request_fields} header fields.",
                    {"limit": cfg.limit_request_fields})
        return ("header_too_large", f"A header field (name, value and line end) may have at most "
                f"{cfg.limit_request_field_size} bytes.", {"limit": cfg.limit_request_field_size})
    if status >= 500:
        return _error_code(status), "The server could not handle the request.", {}
    detail = str(exc)
    if len(detail) > MAX_DETAIL:  # gunicorn quotes what it could not parse, which may be long
        detail = detail[:MAX_DETAIL] + "…"
    return _error_code(status), f"The request is malformed: {detail}", {}


class _Capture:
    """Stands in for the client socket while gunicorn writes its HTML error page."""

    def __init__(self, sock):
        self._sock = sock
        self.data = bytearray()

    def sendall(self, data: bytes) -> None:
        self.data += data

    def gettimeout(self) -> float:
        return 0.0  # util.write_nonblock then writes straight to sendall

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class JsonErrorWorker(ThreadWorker):
    """gunicorn's threaded worker, answering its own refusals in Ortak's JSON error shape."""

    def handle_error(self, req, client, addr, exc):
        capture = _Capture(client)
        # gunicorn classifies, logs and writes the access line; only its page is replaced.
        super().handle_error(req, capture, addr, exc)
        status_line = bytes(capture.data).split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            return  # gunicorn wrote nothing (the client was gone)
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        code, message, details = explain(exc, status, self.cfg)
        body = json.dumps(error_body(code, message, details)).encode()
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
        try:
            util.write_nonblock(client, head + body)
        except Exception:  # the client may be gone already, as gunicorn itself allows
            self.log.debug("Failed to send error message.")


class JsonLogger(glogging.Logger):
    """gunicorn's logger writing JSON lines with the app's formatter (LOG_FORMAT=json).

    Access lines carry the request as fields (method, path, status, bytes, duration_ms, ...)
    instead of one Apache-style string.
    """

    def setup(self, cfg):
        super().setup(cfg)
        formatter = make_formatter("json")
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        sent = getattr(resp, "sent", None)
        fields = {
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "protocol": environ.get("SERVER_PROTOCOL"),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": sent,
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "referer": environ.get("HTTP_REFERER"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:
            self.error("access log failed", exc_info=True)

