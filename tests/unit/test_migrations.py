"""The schema comes from Alembic alone: one head, and models and migrations agree."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from archive.migrate import alembic_config
from archive.models import metadata


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"Alembic has {len(heads)} heads: {heads}; merge them"


def test_models_match_migrations(database_url):
    """Runs against the suite's database (SQLite, or PostgreSQL on the PostgreSQL run)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_downgrade_and_upgrade_again(tmp_path):
    from alembic import command

    from archive.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
