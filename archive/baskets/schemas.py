"""Checking basket bodies: `{"name"}`, `{"asset_id", "in"?, "out"?}`, `{"user", "access"}`.

Errors are 422 with `details.errors`, one {"field", "code", "message", "params"} per problem (`archive.validation`), under the
body's code (`invalid_basket`, `invalid_basket_item`, `invalid_basket_member`). Item codes:
`unknown_field`, `required`, `invalid_timecode` (with `reason` from
`archive.media.timecode.TimecodeError`), `invalid_seconds`, `out_of_range` (past the end of
the asset), `out_before_in`, `segment_without_pair` (one of in/out only), `no_timeline` (a
segment of an asset that has no frames: an image, or media not probed yet).
"""
from __future__ import annotations

import unicodedata
from typing import Any

from archive.markers.timeline import MAX_LABEL, MAX_SECONDS, PositionError, Timeline, read_position
from archive.validation import disguise_error, entry, raise_entries

MAX_NAME = 200
MAX_TIMECODE = MAX_LABEL


def _error(field: str, code: str, message: str, **extra) -> dict:
    return entry(field, code, message, **extra)


def _raise(code: str, what: str, errors: list[dict]) -> None:
    raise_entries(code, what, errors)


def _unknown(body: dict, fields: tuple[str, ...], errors: list[dict]) -> None:
    unknown = sorted(str(k)[:40] for k in body if k not in fields)
    if unknown:
        errors.append(_error("body", "unknown_field", f"unknown fields: {', '.join(unknown)}", fields=unknown))


def clean_name(body: dict) -> str:
    """The basket's name: text, NFC, 1..MAX_NAME characters, no control characters or
    bidirectional overrides (CVE-2021-42574). 422 `invalid_basket`."""
    errors: list[dict] = []
    _unknown(body, ("name",), errors)
    value = body.get("name")
    name = None
    if not isinstance(value, str):
        errors.append(_error("name", "required" if value is None else "not_text", "name must be given as text"))
    else:
        name = unicodedata.normalize("NFC", value).strip()
        if not name:
            errors.append(_error("name", "empty", "name is empty"))
        elif len(name) > MAX_NAME:
            errors.append(_error("name", "too_long", f"name is longer than {MAX_NAME} characters", limit=MAX_NAME))
        elif (problem := disguise_error("name", name, multiline=False)) is not None:
            errors.append(_error("name", problem.code, problem.message, **problem.params))
    _raise("invalid_basket", "basket", errors)
    return name  # type: ignore[return-value]


def _frames(field: str, value: Any, timeline: Timeline, errors: list[dict]) -> int | None:
    """A timecode of the master (string) or seconds from its first frame (number) → frames,
    read by `archive.markers.timeline.read_position`."""
    try:
        return read_position(timeline, field, value)
    except PositionError as exc:
        errors.append(_error(field, exc.code, exc.message, **exc.params))
        return None


def item_asset_id(body: Any) -> str:
    """The `asset_id` of an item body, checked for shape only (the service looks it up)."""
    if not isinstance(body, dict):
        _raise("invalid_basket_item", "item", [_error("body", "not_an_object", "must be an object")])
    value = body.get("asset_id")
    if not isinstance(value, str) or not value.strip():
        _raise("invalid_basket_item", "item", [_error("asset_id", "required", "asset_id must be given as text")])
    return value.strip()


def clean_item(body: dict, timeline: Timeline | None) -> dict:
    """{"in_frame", "out_frame"} (both None for the whole asset) from an item body, checked
    against the asset's `timeline` (None: the asset has none). Raises ValidationError."""
    errors: list[dict] = []
    _unknown(body, ("asset_id", "in", "out"), errors)
    start, end = body.get("in"), body.get("out")
    out = {"in_frame": None, "out_frame": None}
    if start is None and end is None:
        _raise("invalid_basket_item", "item", errors)
        return out
    if start is None or end is None:
        errors.append(_error("in" if start is None else "out", "segment_without_pair",
                             "a segment needs both in and out"))
    elif timeline is None or timeline.frames is None:
        errors.append(_error("in", "no_timeline", "this asset has no timeline to cut (not audio or video, "
                             "or still being processed)"))
    else:
        out["in_frame"] = _frames("in", start, timeline, errors)
        out["out_frame"] = _frames("out", end, timeline, errors)
        if not errors and out["out_frame"] <= out["in_frame"]:
            errors.append(_error("out", "out_before_in", "out must come after in"))
    _raise("invalid_basket_item", "item", errors)
    return out


def clean_member(body: dict) -> tuple[str, str]:
    """(user e-mail or id as text, access) from `{"user": EMAIL|ID, "access": "read"|"edit"}`."""
    errors: list[dict] = []
    _unknown(body, ("user", "access"), errors)
    user = body.get("user")
    if isinstance(user, int) and not isinstance(user, bool):
        user = str(user)
    if not isinstance(user, str) or not user.strip() or len(user) > 320:
        errors.append(_error("user", "required", "user must be an e-mail address or a user id"))
    access = body.get("access", "read")
    if access not in ("read", "edit"):
        errors.append(_error("access", "invalid_choice", "access must be read or edit", choices=["read", "edit"]))
    _raise("invalid_basket_member", "share", errors)
    return user.strip(), access  # type: ignore[union-attr]
