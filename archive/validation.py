"""What every JSON body check shares: the error entry, the collecting Checker, one raise.

An error entry is `{"field", "code", "message", "params"}` (`FieldError.as_dict`): `field` the
path of the value (`segment.in`, `parties[1].share`), `code` machine-readable, `message` for a
person (English; pages translate by `code` and `params`), `params` the values a message names
(`limit`, `choices`, `reason`, ...). A 422 carries them as `details.errors`, and `details.field`
names the first. Rights, co-production, asset metadata, markers, clips, baskets and share links
all answer in this shape; the entries of markers, clips, baskets and share links also carry their
`params` at the top of the entry, as they first did (`entry`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

import pycountry

from archive.errors import ValidationError
from archive.media.timecode import TimecodeError, check_label

LANGS = ("tr", "az", "en")
MIN_DATE = date(1900, 1, 1)
# ISO 8601 calendar date only: 2027-01-05.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The shape of a timecode of the master: HH:MM:SS:FF, drop-frame HH:MM:SS;FF, or a clock time
# HH:MM:SS[.fraction] (what it names is read by archive.markers.timeline.read_position). The
# pattern is the one the API documents; a label of that shape with a field out of range (seconds
# 99) is told apart from a malformed one by `archive.media.timecode.check_label`.
TIMECODE_PATTERN = r"^[0-9]{2}:[0-5][0-9]:[0-5][0-9]([:;][0-9]{2}|\.[0-9]{1,6})?$"


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": self.code, "message": self.message, "params": self.params}


def day_after(day: date) -> date:
    """The day after `day`, or `date.max` itself for the last day of the calendar.

    Dates come from clients (a declaration's `to`, a report's `to`, a rights window): 9999-12-31
    is a valid ISO date, and `day + timedelta(days=1)` would raise OverflowError (a 500) for it.
    Used as a half-open interval's end, date.max stands for "open" at that far edge.
    """
    return day if day >= date.max else day + timedelta(days=1)


def day_before(day: date) -> date:
    """The day before `day`, or `date.min` itself for the first day of the calendar."""
    return day if day <= date.min else day - timedelta(days=1)


def latest_recording_date(now: datetime | None = None) -> date:
    """Today in UTC+14: no recording anywhere can be dated later."""
    now = now or datetime.now(timezone.utc)
    return (now.astimezone(timezone.utc) + timedelta(hours=14)).date()


# ---- characters that disguise text ------------------------------------------------------------
# Text people submit (titles, descriptions, keywords, marker notes, basket names, rights and
# contract fields, co-production descriptions, declarations, transcript cues) is refused when it
# holds a character that makes it read differently from how it is stored or searched:
# - the bidirectional embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069 (a
#   U+202E turns "gpj.exe" into what looks like "exe.jpg"; CVE-2021-42574, "Trojan Source"),
#   and every other invisible format character (Unicode category Cf: the marks U+200E, U+200F
#   and U+061C, zero-width space U+200B, word joiner U+2060, soft hyphen U+00AD, an inner byte
#   order mark U+FEFF, interlinear annotations U+FFF9-U+FFFB, tag characters U+E0000-U+E007F
#   that smuggle hidden ASCII). Turkish, Azerbaijani (Latin or Cyrillic) and English need none
#   of them; they hide words from search and change what a reader sees;
# - control characters (category Cc) but tab and line breaks, which multi-line text keeps.
# Allowed, deliberately: ZERO WIDTH NON-JOINER U+200C and ZERO WIDTH JOINER U+200D. They reorder
# nothing (they only choose how neighbouring letters join): ZWNJ is required in Perso-Arabic
# writing, in which Azerbaijani is written in Iran (names in folklore footage are), and ZWJ
# builds emoji sequences people paste. Edge characters trimmed by a field's cleaning (a leading
# byte order mark, say) are gone before this check, which sees what would be stored.
ALLOWED_FORMAT_CHARACTERS = frozenset("\u200c\u200d")
_LINE_CONTROLS = frozenset("\t\n\r")
MAX_NAMED_CHARACTERS = 5


def disguising_characters(text: str, *, multiline: bool = True) -> list[str]:
    """The distinct characters of `text` that can disguise it (see above), as "U+202E" strings in
    order of first appearance, at most MAX_NAMED_CHARACTERS; [] when there is none. Tab and line
    breaks are reported too when not `multiline`."""
    found: list[str] = []
    kept = _LINE_CONTROLS if multiline else frozenset()
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cf" and ch not in ALLOWED_FORMAT_CHARACTERS) or (category == "Cc" and ch not in kept):
            code = f"U+{ord(ch):04X}"
            if code not in found:
                found.append(code)
                if len(found) == MAX_NAMED_CHARACTERS:
                    break
    return found


def disguise_error(path: str, text: str, *, multiline: bool = True) -> FieldError | None:
    """The `forbidden_characters` error of field `path` when `text` holds characters that can
    disguise it (params `characters`: ["U+202E", ...]), else None. The one check every input
    path of free text calls."""
    characters = disguising_characters(text, multiline=multiline)
    if not characters:
        return None
    names = ", ".join(f"{c} {unicodedata.name(chr(int(c[2:], 16)), 'control character')}" for c in characters)
    return FieldError(path, "forbidden_characters",
                      f"{path} contains invisible characters that can make text read differently from how it is "
                      f"stored ({names}); remove them.", {"characters": characters})


def timecode_problem(value: Any) -> TimecodeError | None:
    """Why `value` is not a timecode label (HH:MM:SS:FF, HH:MM:SS;FF or HH:MM:SS[.fraction]),
    or None: the rate-independent half of `archive.markers.timeline.read_position` (the shape,
    then hours 00-23, minutes and seconds 00-59, each named with its range when out of it), for
    inputs checked before the asset's timeline is at hand. `reason` and `params` as
    `archive.media.timecode.TimecodeError`."""
    if not isinstance(value, str) or len(value) > 32:
        return TimecodeError("must be a position such as 00:01:30:12 (frames) or 00:01:30.480", "malformed")
    try:
        check_label(value)
    except TimecodeError as exc:
        if exc.reason == "malformed":
            return TimecodeError("must be a position such as 00:01:30:12 (frames) or 00:01:30.480", "malformed")
        return exc
    return None


def entry(field_path: str, code: str, message: str, **params: Any) -> dict[str, Any]:
    """An error entry (see the module docstring) with its params also at the top, as the
    markers, clips, baskets and share-link APIs first wrote them."""
    return {**params, **FieldError(field_path, code, message, params).as_dict()}


def distinct_errors(errors: list[FieldError]) -> list[FieldError]:
    """`errors` with each mistake once: the first error of each (field, code), in order. Two
    checks can catch the same mistake (a required field sent empty fails the object's required
    fields and the text's own `required`); docs/api.md promises every mistake in
    `details.errors`, once."""
    return _first_of_each(errors, lambda e: (e.field, e.code))


def _first_of_each(items: list, key) -> list:
    """`items` in order, keeping only the first of those with the same `key(item)`."""
    seen: set = set()
    out = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


def raise_entries(code: str, what: str, entries: list[dict[str, Any]]) -> None:
    """One ValidationError (422 `code`, "The {what} is not valid: ...") carrying `entries`
    (made by `entry`), when there is any; an entry of the same field and code as an earlier
    one is left out (`distinct_errors`)."""
    entries = _first_of_each(entries, lambda e: (e["field"], e["code"]))
    if entries:
        raise ValidationError(f"The {what} is not valid: " + "; ".join(_named(e) for e in entries),
                              code=code, details={"field": entries[0]["field"], "errors": entries})


def _named(e: dict[str, Any]) -> str:
    """The entry's message, led by its field unless the message already begins with it."""
    field, message = e["field"], e["message"]
    return message if message.startswith((f"{field} ", f"{field}:")) else f"{field}: {message}"


def raise_errors(code: str, errors: list[FieldError]) -> None:
    """One ValidationError (422 `code`) carrying every error, each mistake once
    (`distinct_errors`), when there is any."""
    errors = distinct_errors(errors)
    if errors:
        raise ValidationError(" ".join(e.message for e in errors[:10]), code=code,
                              details={"field": errors[0].field, "errors": [e.as_dict() for e in errors]})


@dataclass
class Checker:
    """Cleans values field by field, collecting FieldErrors instead of raising."""

    errors: list[FieldError] = field(default_factory=list)

    def fail(self, path: str, code: str, message: str, **params) -> None:
        """Record an error, unless one of the same field and code is recorded already (a
        required field sent empty is caught by `object` and by `text`: one mistake)."""
        path = path[:120]
        if not any(e.field == path and e.code == code for e in self.errors):
            self.errors.append(FieldError(path, code, message, params))

    def object(self, data: Any, path: str, allowed: Iterable[str], required: Iterable[str] = ()) -> dict | None:
        if not isinstance(data, dict):
            self.fail(path, "not_an_object", f"{path} must be a JSON object.")
            return None
        unknown = sorted(str(k)[:60] for k in set(data) - set(allowed))
        if unknown:
            self.fail(f"{path}.{unknown[0]}" if path else unknown[0], "unknown_field",
                      f"Unknown fields: {', '.join(unknown[:20])}.", fields=unknown[:20])
        for name in required:
            if data.get(name) in (None, ""):
                self.fail(self.join(path, name), "required", f"{self.join(path, name)} is required.")
        return data

    @staticmethod
    def join(path: str, name: str) -> str:
        return f"{path}.{name}" if path else name

    def text(self, value: Any, path: str, limit: int, *, required: bool = False) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(path, "not_text", f"{path} must be text.")
            return None
        value = unicodedata.normalize("NFC", value).replace("\x00", "").strip()
        if len(value) > limit:
            self.fail(path, "too_long", f"{path} is longer than {limit} characters ({len(value)}).",
                      limit=limit, length=len(value))
            return None
        problem = disguise_error(path, value)
        if problem is not None:
            self.errors.append(FieldError(path[:120], problem.code, problem.message, problem.params))
            return None
        if required and not value:
            self.fail(path, "required", f"{path} is required.")
            return None
        return value or None

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        if value not in choices:
            self.fail(path, "invalid_choice", f"{path} must be one of {', '.join(choices)}.", choices=list(choices))
            return None
        return value

    def _calendar_date(self, value: Any, path: str) -> date | None:
        """`value` read as a YYYY-MM-DD date; None (an error recorded unless `value` is None)."""
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            self.fail(path, "invalid_date", f"{path} must be a date written YYYY-MM-DD.")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(path, "invalid_date", f"{path} must be a real date written YYYY-MM-DD.")
            return None

    def date(self, value: Any, path: str, *, today: date | None = None) -> date | None:
        day = self._calendar_date(value, path)
        if day is None:
            return None
        latest = today or latest_recording_date()
        if day < MIN_DATE:
            self.fail(path, "out_of_range", f"{path} must be from {MIN_DATE.isoformat()}.",
                      min=MIN_DATE.isoformat(), max=latest.isoformat())
            return None
        if day > latest:
            self.fail(path, "date_in_future", f"{path} cannot be later than {latest.isoformat()}.",
                      max=latest.isoformat())
            return None
        return day

    def any_date(self, value: Any, path: str) -> date | None:
        """A calendar date that may lie in the future (a milestone, a meeting)."""
        day = self._calendar_date(value, path)
        if day is None:
            return None
        if not MIN_DATE <= day <= date(2200, 12, 31):
            self.fail(path, "out_of_range", f"{path} must be from 1900 to 2200.", min="1900-01-01", max="2200-12-31")
            return None
        return day

    def timecode(self, value: Any, path: str) -> str | None:
        """A position shaped like HH:MM:SS:FF, HH:MM:SS;FF or HH:MM:SS[.fraction] (checked against
        the asset by `archive.coproduction.segments`)."""
        if value is None:
            return None
        problem = timecode_problem(value)
        if problem is not None:
            self.fail(path, "invalid_timecode", f"{path}: {problem}", **problem.params, reason=problem.reason)
            return None
        return value

    def items(self, value: Any, path: str, limit: int) -> list | None:
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > limit:
            self.fail(path, "not_a_list", f"{path} must be a list of at most {limit} items.", max_items=limit)
            return None
        return value

    def country(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not (isinstance(value, str) and len(value) == 2 and value.isascii()
                and pycountry.countries.get(alpha_2=value.upper())):
            self.fail(path, "unknown_country", f"{path} must be an ISO 3166-1 alpha-2 country code such as TR, AZ.")
            return None
        return value.upper()

    def localised(self, value: Any, path: str, limit: int) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.fail(path, "not_an_object", f"{path} must be an object with the keys {', '.join(LANGS)}.")
            return None
        out = {}
        for lang, text in value.items():
            if lang not in LANGS:
                self.fail(f"{path}.{str(lang)[:20]}", "unknown_language",
                          f"{path}: {str(lang)[:20]!r} is not one of {', '.join(LANGS)}.", language=str(lang)[:20])
                continue
            cleaned = self.text(text, f"{path}.{lang}", limit)
            if cleaned:
                out[lang] = cleaned
        if not out and not any(e.field.startswith(path) for e in self.errors):
            self.fail(path, "required", f"{path} needs a text in at least one of {', '.join(LANGS)}.")
        return out
