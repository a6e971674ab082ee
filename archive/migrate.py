"""Alembic, driven from code (the `ortak db upgrade` command, tests and bootstrap)."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


@contextlib.contextmanager
def _quiet_alembic() -> Iterator[None]:
    # Alembic narrates at INFO (its plugins on first import, the dialect on each connection);
    # a look at the revision is not news.
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def schema_revisions(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the revisions the database is at, the heads this code's migrations end in).

    An empty first tuple means the database was never migrated. Raises SQLAlchemy's
    OperationalError when the database cannot be reached.
    """
    with _quiet_alembic():
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        heads = tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                current = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
        finally:
            engine.dispose()
    return current, heads


def known_revisions(url: str) -> set[str]:
    """Every revision this code's migrations know."""
    with _quiet_alembic():
        from alembic.script import ScriptDirectory

        return {rev.revision for rev in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}
