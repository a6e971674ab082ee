"""The registry of the provenance document's sections (`archive.provenance.lineage`).

A section is a function `(session, asset, viewer, lang) -> JSON value` registered under its key
with `@section("name")`. The registry lives apart from the lineage module so that a module
providing a section (`archive.provenance.c2pa`) imports only this registry, and the lineage
module imports that module by name: every dependency is a plain import that import-linter
(and a reader) sees, with no cycle and nothing loaded by a string.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset

Section = Callable[[Session, Asset, User, "str | None"], Any]
SECTIONS: dict[str, Section] = {}
# Keys every document carries; null until a module registers a section of that name (a client
# reads null as "not known here"): `archive.provenance.c2pa`, `archive.provenance.lookup_section`.
RESERVED = ("content_credentials", "lookup")


def section(name: str) -> Callable[[Section], Section]:
    """Register the decorated function as the provenance section `name` (TypeError when taken)."""
    def register(fn: Section) -> Section:
        if name in SECTIONS:
            raise TypeError(f"a provenance section named {name!r} is registered already")
        SECTIONS[name] = fn
        return fn

    return register
