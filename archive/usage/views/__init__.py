"""The usage log over HTTP: the API (`api`) and the audit pages (`pages`)."""
from __future__ import annotations

from datetime import date

from archive.api.params import bad_param, id_param, str_param
from archive.usage.reports import UsageFilter, valid_choices


def _date(name: str) -> date | None:
    raw = str_param(name, limit=10)
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_param(name, "day") from None


def usage_filter() -> UsageFilter:
    """The filters of the request's query (`asset`, `org`, `country`, `platform`, `from`, `to`,
    `scope`);
    400 invalid_parameter for a value that cannot be one (an `asset` that is not an id, `to`
    before `from` too)."""
    choices = valid_choices()
    f = UsageFilter(asset_id=id_param("asset"), organisation=str_param("org"),
                    country=str_param("country", choices=choices["country"]),
                    platform=str_param("platform", choices=choices["platform"]),
                    start=_date("from"), end=_date("to"), scope=str_param("scope", choices=choices["scope"]))
    if f.start and f.end and f.end < f.start:
        raise bad_param("to", "to_before_from")
    return f

