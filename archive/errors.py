"""One error shape for every client mistake: {"error": {"code", "message", "details"}}."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def clause(message) -> str:
    """A message as a part of a longer sentence: without its final "." ("written YYYY-MM-DD."
    → "written YYYY-MM-DD"); "?", "!", "…" and "..." are kept."""
    text = str(message).strip()
    return text[:-1].rstrip() if text.endswith(".") and not text.endswith("..") else text


def join_messages(messages, sep: str = "; ") -> str:
    """Messages (sentences, each perhaps ending in "."), joined by `sep` into one sentence that
    ends in one ".": ["row 3: written YYYY-MM-DD.", "row 4: too long."] → "row 3: written
    YYYY-MM-DD; row 4: too long." (never "YYYY-MM-DD.; row 4"). Empty parts are left out."""
    text = sep.join(p for p in map(clause, messages) if p)
    return text + "." if text and not text.endswith(("?", "!", "…", ".")) else text


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 details: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Unauthorised(ApiError):
    status = 401
    code = "unauthenticated"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class WrongRole(Forbidden):
    """403 `wrong_role`: the caller's role may not do `action`. details: {"action": a key of
    ROLE_ACTIONS (what was refused), "roles": the roles that may (admins always may), "role":
    the caller's}; pages say it in tr/az/en from these (archive.web.messages.wrong_role), the
    English `message` says it for scripts."""

    code = "wrong_role"

    def __init__(self, action: str, roles: tuple[str, ...] | list[str], role: str, *,
                 details: dict[str, Any] | None = None):
        needed = list(dict.fromkeys([*roles, "admin"]))
        what = ROLE_ACTIONS.get(action, "do this")
        super().__init__(f"Only {roles_or(needed)} may {what}; you are {_a(role)}.", code="wrong_role",
                         details={**(details or {}), "action": action, "roles": needed, "role": role})


# What a `wrong_role` refused, as a verb phrase for the English message (the pages' own sentences
# are archive.web.messages.ROLE_ACTIONS, by the same keys).
ROLE_ACTIONS = {
    "upload": "upload files",
    "import": "import files",
    "coproduction": "record co-production projects, entries and meetings",
    "rights": "manage rights blocks and contracts",
    "avails_other_organisation": "ask about another organisation's avails",
    "usage_log": "read the usage log and the rights audit",
    "avails_export": "export avails",
    "notifications": "manage the organisation's notifications and webhook",
    "fixity": "read the fixity report",
}
_ROLE_NAMES = {"producer": "a producer", "broadcaster": "a broadcaster", "rights_manager": "a rights manager",
               "admin": "an administrator"}


def _a(role: str) -> str:
    return _ROLE_NAMES.get(role, role)


_ROLE_PLURALS = {"producer": "producers", "broadcaster": "broadcasters", "rights_manager": "rights managers",
                 "admin": "administrators"}


def roles_or(roles: list[str] | tuple[str, ...]) -> str:
    """Roles named in the plural for an English refusal: "producers", "producers and rights
    managers", "producers, broadcasters and administrators" (an unknown role as it is)."""
    names = [_ROLE_PLURALS.get(r, r) for r in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class Conflict(ApiError):
    status = 409
    code = "conflict"


class ValidationError(ApiError):
    status = 422
    code = "invalid"


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


# JSON endpoints outside /api/ (their errors are JSON too, whatever the client accepts).
JSON_PATHS = ("/healthz",)


def wants_json() -> bool:
    """Whether the client gets JSON (errors included): an API path, a JSON path, or a client whose
    preferred type (`Accept`) is application/json, as a script opening a share link sends."""
    return (request.path.startswith("/api/") or request.path in JSON_PATHS
            or request.accept_mimetypes.best == "application/json")


_wants_json = wants_json


def http_error_code(exc: HTTPException) -> str:
    """Werkzeug's reason phrase as a code: "Method Not Allowed" → `method_not_allowed`."""
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def error_response(exc: ApiError, message: str | None = None):
    """The JSON answer of `exc`: its status, code, details and headers, with `message` (the
    message said in the client's language) or its own."""
    resp = jsonify(error_body(exc.code, exc.message if message is None else message, exc.details))
    resp.status_code = exc.status
    resp.headers.update(exc.headers)
    return resp


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _wants_json():
            # A browser gets the web pages' styled, translated page (archive.web registers it).
            page = app.extensions.get("ortak.error_page")
            return page(exc) if page is not None else exc
        details: dict[str, Any] = {}
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            details["allowed"] = sorted(exc.valid_methods)
        resp = jsonify(error_body(http_error_code(exc), exc.description or exc.name, details))
        resp.status_code = exc.code or 500
        # The exception's own headers (Allow on a 405, WWW-Authenticate, Retry-After...) stay.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp
