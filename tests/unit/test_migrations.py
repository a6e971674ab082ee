"""The schema comes from Alembic alone: one head, and models and migrations agree; data migrations
keep what they migrate (on SQLite, and on PostgreSQL on the PostgreSQL run)."""
import uuid
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy import inspect as sa_inspect

from archive.migrate import alembic_config
from archive.models import metadata
from tests.conftest import PG_URL


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


@pytest.fixture
def empty_database(tmp_path):
    """A database with no schema: a SQLite file, or a new PostgreSQL database on the PostgreSQL run."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"ortak_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_0004_turns_each_blob_into_a_one_file_manifest_and_back(empty_database):
    """Renditions stored before manifests: the blob becomes the entry file (spec_hash NULL, re-made
    by the next renditions step); one without size or SHA-256 goes back to pending; and down again."""
    from alembic import command

    from archive.migrate import upgrade

    url = empty_database
    upgrade(url, "0003")
    engine = create_engine(url)
    now = datetime.now(timezone.utc)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["organisations"].insert().values(id=1, name="İTV", country="AZ", created_at=now))
        conn.execute(t["users"].insert().values(id=1, email="a@example.org", password_hash="x", organisation_id=1,
                                                role="producer", active=True, created_at=now))
        conn.execute(t["assets"].insert().values(
            id="a1", status="ready", filename="film.mov", size=10, sha256="0" * 64, original_key="originals/x",
            meta={}, organisation_id=1, country="AZ", uploader_id=1, attempts=0, created_at=now, updated_at=now))
        rows = [dict(id=1, name="proxy", status="ready", blob_key="renditions/a1/proxy/" + "1" * 64 + ".mp4",
                     size=100, sha256="1" * 64, content_type="video/mp4"),
                dict(id=2, name="poster", status="failed", blob_key="renditions/a1/poster/" + "2" * 64 + ".jpg",
                     size=20, sha256="2" * 64, content_type="image/jpeg"),
                dict(id=3, name="broken", status="ready", blob_key="renditions/a1/broken/b.bin", size=None,
                     sha256=None, content_type=None),
                dict(id=4, name="waveform", status="pending", blob_key=None, size=None, sha256=None,
                     content_type=None)]
        for row in rows:
            conn.execute(t["renditions"].insert().values(asset_id="a1", progress=1.0, attempts=1, updated_at=now,
                                                         **row))
    engine.dispose()

    upgrade(url, "0004")
    engine = create_engine(url)
    with engine.connect() as conn:
        got = {r.name: r for r in conn.execute(text(
            "SELECT name, status, entry, file_count, spec_hash, prefix FROM renditions ORDER BY id"))}
        files = conn.execute(text("SELECT rendition_id, path, blob_key, size, sha256, content_type "
                                  "FROM rendition_files ORDER BY rendition_id")).all()
        steps = conn.execute(text("SELECT steps FROM assets")).scalar()
    engine.dispose()
    assert {n: (r.status, r.entry, r.file_count, r.spec_hash, r.prefix) for n, r in got.items()} == {
        "proxy": ("ready", "proxy.mp4", 1, None, None), "poster": ("failed", "poster.jpg", 1, None, None),
        "broken": ("pending", None, 0, None, None), "waveform": ("pending", None, 0, None, None)}
    assert [tuple(f) for f in files] == [
        (1, "proxy.mp4", rows[0]["blob_key"], 100, "1" * 64, "video/mp4"),
        (2, "poster.jpg", rows[1]["blob_key"], 20, "2" * 64, "image/jpeg")]
    assert steps is None

    command.downgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    with engine.connect() as conn:
        back = dict(conn.execute(text("SELECT name, blob_key FROM renditions")).all())
        tables = set(sa_inspect(conn).get_table_names())
    engine.dispose()
    assert back == {"proxy": rows[0]["blob_key"], "poster": rows[1]["blob_key"], "broken": None, "waveform": None}
    assert "rendition_files" not in tables


def test_0020_lets_an_uploading_asset_have_no_original_and_down_again(empty_database):
    """0020: assets may have no sha256 or original_key (NULL, several at once under the unique
    constraint) and uploads keep `placeholder_id`; the downgrade removes the assets still
    uploading (unlinking their uploads) and keeps every other."""
    from alembic import command

    from archive.migrate import upgrade

    url = empty_database
    upgrade(url, "0019")
    engine = create_engine(url)
    now = datetime.now(timezone.utc)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    asset = dict(meta={}, organisation_id=1, country="AZ", uploader_id=1, attempts=0, created_at=now, updated_at=now)
    with engine.begin() as conn:
        conn.execute(t["organisations"].insert().values(id=1, name="İTV", country="AZ", created_at=now))
        conn.execute(t["users"].insert().values(id=1, email="a@example.org", password_hash="x", organisation_id=1,
                                                role="producer", active=True, created_at=now))
        conn.execute(t["assets"].insert().values(id="kept", status="ready", filename="film.mov", size=10,
                                                 sha256="0" * 64, original_key="originals/00/x", **asset))
    engine.dispose()
    with pytest.raises(Exception):  # before 0020 an asset needs its original
        eng = create_engine(url)
        try:
            with eng.begin() as conn:
                conn.execute(t["assets"].insert().values(id="early", status="uploading", filename="a.mov", size=5,
                                                         sha256=None, original_key=None, **asset))
        finally:
            eng.dispose()

    upgrade(url, "0020")
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        for i in ("u1", "u2"):
            conn.execute(t["assets"].insert().values(id=i, status="uploading", filename=f"{i}.mov", size=5,
                                                     sha256=None, original_key=None, **asset))
        conn.execute(t["uploads"].insert().values(
            id="up1", user_id=1, length=5, offset=2, upload_metadata={}, status="open", asset_id="u1",
            placeholder_id="u1", created_at=now, updated_at=now, expires_at=now))
    engine.dispose()

    command.downgrade(alembic_config(url), "0019")
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = set(conn.execute(text("SELECT id FROM assets")).scalars())
        upload = conn.execute(text("SELECT asset_id, status FROM uploads")).one()
        columns = {c["name"] for c in sa_inspect(conn).get_columns("uploads")}
        nullable = {c["name"]: c["nullable"] for c in sa_inspect(conn).get_columns("assets")}
    engine.dispose()
    assert ids == {"kept"} and tuple(upload) == (None, "open")
    assert "placeholder_id" not in columns and not nullable["sha256"] and not nullable["original_key"]


def test_0021_never_gives_a_deleted_rows_id_again(empty_database):
    """0021: on SQLite an id freed by deleting the newest row (a revoked grant, a removed
    marker, a revoked token...) is not given to the next row, as PostgreSQL's sequences never
    give one twice; the tables keep their columns, indexes and constraints, and the downgrade
    makes them again as they were."""
    from alembic import command

    from archive.migrate import upgrade

    tables = ("rights_blocks", "markers", "basket_items", "coproduction_footage", "coproduction_budget_lines",
              "coproduction_milestones", "rights_contract_documents", "api_tokens")
    url = empty_database

    def shape():
        engine = create_engine(url)
        try:
            i = sa_inspect(engine)
            return {t: (sorted((c["name"], str(c["type"]), c["nullable"]) for c in i.get_columns(t)),
                        sorted((x["name"], tuple(x["column_names"]), bool(x["unique"])) for x in i.get_indexes(t)),
                        sorted(str(c["sqltext"]) for c in i.get_check_constraints(t)),
                        sorted(str((f["referred_table"], f["constrained_columns"], f.get("options")))
                               for f in i.get_foreign_keys(t))) for t in tables}
        finally:
            engine.dispose()

    upgrade(url, "0020")
    before = shape()
    upgrade(url, "0021")
    assert shape() == before
    engine = create_engine(url)
    now = datetime.now(timezone.utc)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    token = dict(user_id=1, prefix="ortak_", created_at=now, revoked=False)
    with engine.begin() as conn:
        conn.execute(t["organisations"].insert().values(id=1, name="TRT", country="TR", created_at=now))
        conn.execute(t["users"].insert().values(id=1, email="a@example.org", password_hash="x", organisation_id=1,
                                                role="producer", active=True, created_at=now))
        first = conn.execute(t["api_tokens"].insert().values(token_hash="a" * 64, **token)).inserted_primary_key[0]
        newest = conn.execute(t["api_tokens"].insert().values(token_hash="b" * 64, **token)).inserted_primary_key[0]
        conn.execute(t["api_tokens"].delete().where(t["api_tokens"].c.id == newest))
        after = conn.execute(t["api_tokens"].insert().values(token_hash="c" * 64, **token)).inserted_primary_key[0]
    engine.dispose()
    assert first < newest < after
    command.downgrade(alembic_config(url), "0020")
    assert shape() == before


def test_0022_keys_organisation_names_keeps_a_clashing_pair_and_names_it(empty_database, capsys):
    """0022: each organisation gets its name key (case, white space and the Turkish i's folded)
    under a unique index; a database holding "TRT" and "trt" (and "İstanbul TV" and "ISTANBUL
    TV") still upgrades: the older keeps the key, the newer none, and the upgrade names each pair
    with the fix. Afterwards no third "Trt" fits under the index. Share links gain
    `last_download_at`. The downgrade drops both columns and the index."""
    from alembic import command
    from sqlalchemy.exc import IntegrityError

    from archive.migrate import upgrade

    url = empty_database
    upgrade(url, "0021")
    engine = create_engine(url)
    now = datetime.now(timezone.utc)
    meta = MetaData()
    meta.reflect(engine)
    orgs = meta.tables["organisations"]
    with engine.begin() as conn:
        for i, name in enumerate(("TRT", "İstanbul TV", "trt", "AzTV", "ISTANBUL  TV", "Şeki TV", "Seki TV"), 1):
            conn.execute(orgs.insert().values(id=i, name=name, country="TR", created_at=now))
    engine.dispose()
    capsys.readouterr()

    upgrade(url, "0022")
    err = capsys.readouterr().err
    assert "'trt' has the same name as the older 'TRT'" in err and "ortak org rename 'trt' NEW-NAME" in err, err
    assert "'ISTANBUL  TV' has the same name as the older 'İstanbul TV'" in err, err
    assert "AzTV" not in err and "Seki" not in err
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            keys = dict(conn.execute(text("SELECT name, name_key FROM organisations")).all())
            indexes = {x["name"]: x["unique"] for x in sa_inspect(conn).get_indexes("organisations")}
            share_columns = {c["name"]: c["nullable"] for c in sa_inspect(conn).get_columns("share_links")}
        assert keys == {"TRT": "trt", "İstanbul TV": "istanbul tv", "trt": None, "AzTV": "aztv",
                        "ISTANBUL  TV": None, "Şeki TV": "şeki tv", "Seki TV": "seki tv"}
        assert indexes["ix_organisations_name_key"] and share_columns["last_download_at"]
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text("INSERT INTO organisations (id, name, name_key, country, created_at, active) "
                              "VALUES (99, 'Trt', 'trt', 'TR', :now, :t)"), {"now": now, "t": True})
    finally:
        engine.dispose()

    command.downgrade(alembic_config(url), "0021")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert "name_key" not in {c["name"] for c in sa_inspect(conn).get_columns("organisations")}
            assert "last_download_at" not in {c["name"] for c in sa_inspect(conn).get_columns("share_links")}
            assert conn.execute(text("SELECT count(*) FROM organisations")).scalar() == 7
    finally:
        engine.dispose()
    upgrade(url)
