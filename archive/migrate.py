"""Alembic, driven from code (the `ortak db upgrade` command, tests and bootstrap)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def schema_revisions(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the revisions the database is at, the heads this code's migrations end in).

    An empty first tuple means the database was never migrated. Raises SQLAlchemy's
    OperationalError when the database cannot be reached.
    """
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
