"""How every `ortak` command fails: one line naming the cause and the fix, exit status 2.

`OrtakGroup` is the class of the `ortak` command group. Its `invoke` runs the chosen
command (and any sub-group) and turns the failures an operator can fix into a
`CommandError`, so a command added later gets this without doing anything:

| failure | line |
|---|---|
| `ConfigError` | its message, which names the setting |
| `ApiError` (a service refused the input) | the message and its code |
| database without the schema (no such table/column) | the URL and "run `ortak db upgrade`" |
| database unreachable or unusable | the URL without its password and the driver's first line |
| `StorageError` | the message and the settings of the configured store |
| `SearchError` | the message and the settings of the configured search engine |
| broker unreachable (kombu's OperationalError) | the URL without its password and the reason |
| `SchedulerLockBusy` | where the lock is held |

Anything else is a fault in Ortak, not in the setup, and keeps its traceback.
"""
from __future__ import annotations

from typing import Any

import click

# Database errors that mean "the schema is not there (yet)": SQLite's words, and PostgreSQL's
# SQLSTATE for an undefined table (42P01) or column (42703).
_SQLITE_MISSING = ("no such table", "no such column", "has no column named")
_PG_MISSING = {"42P01", "42703"}


class CommandError(click.ClickException):
    """A failure the operator can fix; shown as `error: <message>`, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True, file=file)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else exc.__class__.__name__


def _settings() -> dict[str, Any] | None:
    from archive.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError:
        return None


def _safe_db_url(url: str | None) -> str:
    from sqlalchemy.engine import make_url

    if not url:
        return "(ORTAK_DATABASE_URL)"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by SQLAlchemy itself
        return "(ORTAK_DATABASE_URL)"


def _safe_broker_url(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)


def _missing_schema(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _PG_MISSING:
        return True
    text = str(orig if orig is not None else exc).lower()
    return any(needle in text for needle in _SQLITE_MISSING)


def not_migrated_message(url: str, current: tuple[str, ...] = (), heads: tuple[str, ...] = ()) -> str:
    where = _safe_db_url(url)
    if not current:
        state = "has no Ortak schema"
    else:
        state = f"is at schema revision {', '.join(current)}, this version needs {', '.join(heads)}"
    return f"the database at {where} {state}: run `ortak db upgrade`"


def _database_message(exc: BaseException) -> str:
    settings = _settings() or {}
    url = settings.get("DATABASE_URL")
    if _missing_schema(exc):
        from archive.migrate import schema_revisions

        current: tuple[str, ...] = ()
        heads: tuple[str, ...] = ()
        try:
            current, heads = schema_revisions(url)
        except Exception:  # the revision is a nicety; the fix is the same without it
            pass
        return not_migrated_message(url, current, heads)
    orig = getattr(exc, "orig", None)
    reason = _first_line(orig if orig is not None else exc)
    return f"cannot use the database at {_safe_db_url(url)}: {reason} (check ORTAK_DATABASE_URL)"


def _storage_message(exc: BaseException) -> str:
    settings = _settings() or {}
    if settings.get("STORAGE") == "s3":
        hint = "ORTAK_S3_ENDPOINT, ORTAK_S3_PUBLIC_ENDPOINT, ORTAK_S3_ACCESS_KEY, ORTAK_S3_SECRET_KEY, ORTAK_S3_BUCKET"
    else:
        hint = "ORTAK_STORAGE_DIR"
    return f"blob storage ({settings.get('STORAGE', 'local')}): {_first_line(exc)} (check {hint})"


def _search_message(exc: BaseException) -> str:
    settings = _settings() or {}
    hint = "ORTAK_ES_URL, ORTAK_ES_INDEX" if settings.get("SEARCH") == "elasticsearch" else "ORTAK_SEARCH_DIR"
    return f"search ({settings.get('SEARCH', 'tantivy')}): {_first_line(exc)} (check {hint})"


def _broker_message(exc: BaseException) -> str:
    settings = _settings() or {}
    url = settings.get("BROKER_URL") or ""
    where = "the embedded broker" if url.startswith("filesystem") else f"the task broker at {_safe_broker_url(url)}"
    return f"{where} is unreachable: {_first_line(exc)} (check ORTAK_BROKER_URL)"


def explain(exc: BaseException) -> str | None:
    """The one line for a failure an operator can fix, or None for anything else."""
    from kombu.exceptions import OperationalError as BrokerError
    from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

    from archive.config import ConfigError
    from archive.errors import ApiError
    from archive.scheduler_lock import SchedulerLockBusy
    from archive.storage.interfaces import StorageError
    from search.interfaces import QueryError, SearchError

    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, ApiError):
        return f"{exc.message} ({exc.code})"
    if isinstance(exc, SchedulerLockBusy):
        return f"{exc} (stop it first, or run workers with --no-beat)"
    if isinstance(exc, (OperationalError, ProgrammingError)) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return _database_message(exc)
    if isinstance(exc, StorageError):
        return _storage_message(exc)
    if isinstance(exc, SearchError) and not isinstance(exc, QueryError):
        return _search_message(exc)
    if isinstance(exc, BrokerError):
        return _broker_message(exc)
    return None


class OrtakGroup(click.Group):
    """A click group whose commands fail with one line (see the module docstring)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            cause: BaseException | None = exc
            while cause is not None:  # the operator's problem may be wrapped in another
                message = explain(cause)
                if message is not None:
                    raise CommandError(message) from exc
                cause = cause.__cause__
            raise
