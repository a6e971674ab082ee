"""Reading query parameters and JSON bodies: every client mistake becomes a 4xx with a code."""
from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from archive.errors import ApiError

MAX_PARAM = 200


def bad_param(name: str, message: str) -> ApiError:
    return ApiError(message, code="invalid_parameter", status=400, details={"parameter": name})


def int_param(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if len(raw) > 12 or not raw.strip().lstrip("+").isdigit():
        raise bad_param(name, f"{name} must be a whole number from {lo} to {hi}.")
    value = int(raw)
    if not lo <= value <= hi:
        raise bad_param(name, f"{name} must be from {lo} to {hi}.")
    return value


def str_param(name: str, *, limit: int = MAX_PARAM, choices: tuple[str, ...] | None = None) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    raw = raw.replace("\x00", "")
    if len(raw) > limit:
        raise bad_param(name, f"{name} is longer than {limit} characters.")
    if choices is not None and raw not in choices:
        raise bad_param(name, f"{name} must be one of {', '.join(choices)}.")
    return raw


def json_body() -> dict[str, Any]:
    """The request's JSON object: 415 without a JSON content type, 400 when it does not parse."""
    if not request.is_json:
        raise ApiError("Send the body as JSON (Content-Type: application/json).",
                       code="unsupported_media_type", status=415)
    try:
        data = request.get_json(force=False, silent=False)
    except BadRequest as exc:
        raise ApiError("The body is not valid JSON.", code="malformed_json", status=400) from exc
    if not isinstance(data, dict):
        raise ApiError("The body must be a JSON object.", code="malformed_json", status=400)
    return data
