"""What every `ortak` command shares: the app, its unit of work, and plain tables.

A service's refusal (ApiError) raised inside a command becomes its one-line error through
`archive.cli_errors.OrtakGroup`; nothing here catches it.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy.orm import Session


class AnyCaseChoice(click.Choice):
    """A choice typed in any case ("tr", "Tr", "TR") that the help and the errors write as the
    choices are written ("[TR|AZ]", "'XX' is not one of 'TR', 'AZ'."): click from 8.2 writes a
    case-insensitive choice's values casefolded ("[tr|az]"), which for codes such as ISO 3166
    countries (upper case) is wrong. A value is normalised (click's `normalize_choice`, which
    its help, errors and matching all use) to the choice as written that it casefolds to."""

    def __init__(self, choices) -> None:
        super().__init__(choices, case_sensitive=False)
        self._written = {str(choice).casefold(): str(choice) for choice in self.choices}

    def normalize_choice(self, choice, ctx) -> str:
        folded = super().normalize_choice(choice, ctx)
        return self._written.get(folded, folded)


def require_schema(url: str | None = None) -> None:
    """CommandError (one line, exit 2) unless the database at `url` (default: the configured
    one) has this code's schema."""
    from archive.cli_errors import CommandError, not_migrated_message
    from archive.config import load_settings
    from archive.migrate import known_revisions, schema_revisions

    url = url or load_settings()[0].DATABASE_URL
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.exists() and path.parent.is_dir():  # `db upgrade` would make it: say so first
            raise CommandError(not_migrated_message(url))
    current, heads = schema_revisions(url)
    if current != heads:
        if current and not set(current) & known_revisions(url):
            raise CommandError(f"the database is at schema revision {', '.join(current)}, which this version "
                               f"of Ortak does not know (it ends at {', '.join(heads)}): upgrade Ortak")
        raise CommandError(not_migrated_message(url, current, heads))


def make_app(*, check_schema: bool = True):
    """The app for this command; its database pool is closed when the command ends, even by
    sys.exit. Unless told otherwise (`db upgrade`, `bootstrap`), a database without this
    code's schema stops the command first, before anything is written."""
    from archive import create_app

    if check_schema:
        require_schema()
    app = create_app()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(app.extensions["ortak.db"].dispose)
    return app


@contextlib.contextmanager
def unit_of_work(app=None) -> Iterator[Session]:
    """The command's unit of work: the app context and its session, committed when the block
    ends without an error (the command owns it, as a request or a task body owns theirs)."""
    from archive import db

    with (app or make_app()).app_context():
        session = db.session()
        yield session
        session.commit()


def table(headers: tuple[str, ...], rows: list[tuple]) -> None:
    """Left-aligned columns, one row a line ("" for None)."""
    cells = [tuple("" if v is None else str(v) for v in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    for row in (headers, *cells):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


def when(value) -> str:
    """A timestamp to the minute, or "-"."""
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"
