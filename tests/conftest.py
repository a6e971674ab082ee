"""Shared fixtures.

The schema always comes from `alembic upgrade head`. On SQLite (default) it is built once per
session into a template file and copied for each test; with ORTAK_TEST_DATABASE_URL pointing at
PostgreSQL, one database per session is migrated and every table is emptied after each test
(`_empty_all`).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ProgrammingError

from archive import create_app
from archive.migrate import upgrade

# A real S3 server (SeaweedFS) for any test that asks for `s3_server` or `s3_config`.
pytest_plugins = ["tests.seaweed", "tests.live_server"]

# Property tests check what is answered, not how fast: on a loaded 2-core machine one example
# of 200 ms is noise, and hypothesis's default deadline turned it into a failure.
hypothesis_settings.register_profile("ortak", deadline=None)
hypothesis_settings.load_profile("ortak")


def _url_builders_compiled_on_first_use() -> None:
    """Werkzeug compiles two URL builders (Python source, `compile`) for each of the app's ~685
    rules when the app is made: ~90 % of `create_app` in cProfile, and the suite makes an app
    for most tests. Compiled on first use instead, the same code builds the same URLs; a test
    builds a handful. Tests only (werkzeug.routing.rules.Rule._compile_builder, werkzeug 3.1);
    without that method nothing is changed."""
    from werkzeug.routing.rules import Rule

    eager = getattr(Rule, "_compile_builder", None)
    if eager is None:
        return

    def on_first_use(self, append_unknown=True):
        compiled = None

        def build(rule, *args, **kwargs):
            nonlocal compiled
            if compiled is None:
                compiled = eager(rule, append_unknown)
            return compiled(rule, *args, **kwargs)

        return build

    Rule._compile_builder = on_first_use


_url_builders_compiled_on_first_use()


@event.listens_for(Engine, "connect")
def _sqlite_commits_not_synced(dbapi_conn, _record) -> None:
    """SQLite connections of the test process commit with `synchronous=NORMAL` (SQLite's advice
    for WAL): a commit no longer waits for the WAL's fsync; what another connection or process
    sees is unchanged, only a power cut could lose the last commits. Durability is not under
    test (a worker or server the tests start keeps the default, FULL). Measured on the loaded
    2-core machine: a commit 1-18 ms with FULL, under 0.1 ms with NORMAL; a test commits many
    times. The PostgreSQL counterpart: synchronous_commit off (`migrated_template`)."""
    if isinstance(dbapi_conn, sqlite3.Connection):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


PG_URL = os.environ.get("ORTAK_TEST_DATABASE_URL", "")
# Argon2 at its production cost takes ~0.35 s a hash; tests check behaviour, not cost.
CHEAP_PASSWORD_HASHING = {"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 8,
                          "PASSWORD_HASH_PARALLELISM": 1}


# The fixtures that hand a test the run's database (or the template it is copied from).
DATABASE_FIXTURES = frozenset({"database_url", "migrated_template"})
_DATABASE_INDEPENDENT = pytest.StashKey[int]()  # how many the PostgreSQL run left out


def _names_pg_url(code) -> bool:
    """Whether a function's code (its nested functions and lambdas too) reads the global PG_URL."""
    return "PG_URL" in code.co_names or any(
        _names_pg_url(const) for const in code.co_consts if hasattr(const, "co_names"))


def reaches_database(item) -> bool:
    """Whether a test can touch the run's database: it asks, through any fixture on the way, for
    one of DATABASE_FIXTURES; it, or one of the fixtures it uses, reads PG_URL (a test that makes
    its own PostgreSQL database); or it is marked `database`."""
    if item.get_closest_marker("database") is not None:
        return True
    if DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return True
    info = getattr(item, "_fixtureinfo", None)
    functions = [getattr(item, "function", None)]
    if info is not None:
        functions += [d.func for defs in info.name2fixturedefs.values() for d in defs]
    return any(_names_pg_url(f.__code__) for f in functions if hasattr(f, "__code__"))


# Which of `make test`'s two runs takes the database-independent tests: "sqlite" (the default, and
# what a run alone does) or "postgres". The Makefile's `test` sets "postgres" when PostgreSQL
# answers. Measured on the loaded 2-core machine: the browser tests (SQLite run only) 614 s, the
# 1,919 database-independent tests 376 s, the database tests ~1.3x slower on PostgreSQL than on
# SQLite (the same 184 tests: 46 s against 36 s); with both extra sets in the SQLite run it was
# the longer one by ~990 s less the PostgreSQL run's extra, with one extra set each they are nearer.
INDEPENDENT_RUN = os.environ.get("ORTAK_TEST_INDEPENDENT_RUN", "sqlite")


@pytest.hookimpl(trylast=True)  # after `-m "not browser"`: the count is of tests that would have run
def pytest_collection_modifyitems(config, items):
    """Run the database-independent tests (not `reaches_database`) in one of the two runs only.

    `make test` runs the suite on SQLite and, side by side, with ORTAK_TEST_DATABASE_URL set; a test
    that never asks for a database (media, search, pure functions) would only repeat itself. It
    runs in the SQLite run unless ORTAK_TEST_INDEPENDENT_RUN is "postgres"; then in the PostgreSQL
    run, and the SQLite run keeps the database tests and the browser tests (which the PostgreSQL
    run leaves out with `-m "not browser"`; their service has its own SQLite database).
    How many were left out is printed at the start of the run.
    """
    if INDEPENDENT_RUN not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"ORTAK_TEST_INDEPENDENT_RUN: 'sqlite' or 'postgres', not {INDEPENDENT_RUN!r}")
    if PG_URL and INDEPENDENT_RUN == "sqlite":
        leave_out = lambda item: not reaches_database(item)  # noqa: E731
    elif not PG_URL and INDEPENDENT_RUN == "postgres":
        leave_out = lambda item: not (reaches_database(item) or item.get_closest_marker("browser"))  # noqa: E731
    else:
        return
    keep, skip = [], []
    for item in items:
        (skip if leave_out(item) else keep).append(item)
    config.stash[_DATABASE_INDEPENDENT] = len(skip)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


def pytest_collection_finish(session):
    count = session.config.stash.get(_DATABASE_INDEPENDENT, None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if count is not None and reporter is not None:
        run, other = ("PostgreSQL", "SQLite") if PG_URL else ("SQLite", "PostgreSQL")
        reporter.write_line(f"{run} run: {count} database-independent tests deselected "
                            f"(they run in the {other} run; tests/conftest.py reaches_database)")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """SQLite: a migrated database file to copy. PostgreSQL: a fresh migrated database URL."""
    if PG_URL:
        name = f"ortak_test_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # Durability is not under test: a commit need not wait for its WAL to reach the disk
            # (visibility to other connections is unchanged). Measured on the loaded 2-core
            # machine: a commit ~5-18 ms with it on, ~0.3-7 ms off; a test commits many times.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        yield url
        if url in _emptying_engines:
            _emptying_engines.pop(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "ortak.db"
        upgrade(f"sqlite:///{path}")
        yield path


_emptying_engines: dict[str, Engine] = {}


def _empty_all(url: str) -> None:
    """Empty every table of the PostgreSQL database at `url` and restart its sequences, as the
    freshly migrated database was (alembic_version is kept).

    DELETE with the triggers off (`session_replication_role = replica`: no foreign-key checks,
    and the usage log's append-only trigger stays quiet), on one connection kept for the
    session: a TRUNCATE of the 38 tables took ~1 s a test on the loaded 2-core machine, this
    ~0.05 s. A role that may not set session_replication_role (not a superuser) gets
    `TRUNCATE ... RESTART IDENTITY CASCADE` instead.
    """
    from archive.models import metadata

    eng = _emptying_engines.get(url)
    if eng is None:
        eng = _emptying_engines[url] = create_engine(url, pool_size=1)
    try:
        with eng.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("; ".join(f'DELETE FROM "{t.name}"' for t in metadata.sorted_tables)))
            conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                              "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        with eng.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def database_url(migrated_template, data_dir):
    if PG_URL:
        yield migrated_template
        _empty_all(migrated_template)
    else:
        dest = data_dir / "ortak.db"
        shutil.copyfile(migrated_template, dest)
        yield f"sqlite:///{dest}"


@pytest.fixture
def app_config(data_dir, database_url) -> dict:
    """Override to point a test at other backends; the defaults are the embedded ones."""
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "MAX_UPLOAD_SIZE": 50 * 1024 * 1024,
        **CHEAP_PASSWORD_HASHING,
    }


@pytest.fixture(scope="session")
def empty_search_index(tmp_path_factory) -> Path:
    """A search folder holding the embedded search's two empty indexes (assets, segments), as
    `create_app` makes them in a new data folder; made once per session."""
    from search.tantivy_backend import TantivySearchBackend

    path = tmp_path_factory.mktemp("search-template") / "search"
    TantivySearchBackend.from_config({"SEARCH_DIR": str(path)})
    return path


def _with_empty_search_index(config: dict, template: Path) -> None:
    """Copy the empty indexes into the data folder's search folder, where `create_app` would make
    them, when the test's app uses the embedded search there and the folder is not there yet.
    Measured on the loaded 2-core machine (medians of 12): making them took 0.12 s of a 0.39 s
    `create_app`, opening a copy 0.005 s (copy and `create_app` together 0.18 s)."""
    if config.get("SEARCH", "tantivy") != "tantivy" or config.get("SEARCH_DIR") or not config.get("DATA_DIR"):
        return
    target = Path(config["DATA_DIR"]) / "search"
    if not target.exists():
        shutil.copytree(template, target)


@pytest.fixture
def app(app_config, empty_search_index):
    _with_empty_search_index(app_config, empty_search_index)
    app = create_app(app_config)
    yield app
    app.extensions["ortak.db"].dispose()


@pytest.fixture
def sent(monkeypatch):
    """The tasks sent after each commit, as (name, ids), instead of going to the broker."""
    tasks: list[tuple[str, tuple]] = []
    monkeypatch.setattr("archive.task_handles.publish", lambda handle, ids: tasks.append((handle.name, ids)))
    return tasks


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from archive import db

    with app.app_context():
        yield db.session()


@pytest.fixture
def make_user(app):
    """make_user(role, country="TR") -> (user_id, token); creates the organisation as needed."""
    from archive import db
    from archive.accounts import services
    from archive.accounts.models import Organisation

    def _make(role: str = "producer", country: str = "TR", org: str | None = None, email: str | None = None):
        org = org or f"Org {country}"
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        with app.app_context():
            s = db.session()
            if s.query(Organisation).filter_by(name=org).first() is None:
                services.create_organisation(s, org, country)
            u = services.create_user(s, email, "correct horse battery", org, role)
            tok = services.create_token(s, u)
            s.commit()
            return u.id, tok

    return _make


@pytest.fixture
def producer(make_user):
    return make_user("producer", "TR")


@pytest.fixture
def auth(producer):
    """Authorization headers for a producer."""
    return {"Authorization": f"Bearer {producer[1]}"}


@pytest.fixture
def register_file(app, make_user, tmp_path):
    """register_file(path) -> asset_id: stored in the configured storage and committed, as an
    upload is; the commit sends `ingest` to the configured broker."""
    from archive import db
    from archive.accounts.models import User
    from archive.ingest.services import register_original

    user_id, _ = make_user("producer", "TR")

    def _register(path: Path, filename: str | None = None) -> str:
        staged = tmp_path / f"staged-{uuid.uuid4().hex}"
        shutil.copyfile(path, staged)
        data = staged.read_bytes()
        with app.app_context():
            s = db.session()
            registered = register_original(s, staged=staged, sha256=hashlib.sha256(data).hexdigest(),
                                           size=len(data), filename=filename or path.name, meta={},
                                           uploader=s.get(User, user_id))
            assert registered.created
            s.commit()
            return registered.asset.id

    return _register


@pytest.fixture
def ortak_cli(app_config, monkeypatch):
    """ortak_cli(*args, input=None) -> click Result: the `ortak` command with the environment a user sets."""
    from click.testing import CliRunner

    from archive.cli import main

    monkeypatch.setenv("ORTAK_DATA_DIR", app_config["DATA_DIR"])
    monkeypatch.setenv("ORTAK_DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("ORTAK_LOG_LEVEL", "WARNING")
    for key, value in CHEAP_PASSWORD_HASHING.items():
        monkeypatch.setenv(f"ORTAK_{key}", str(value))

    def run(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


# ---- real media, made with ffmpeg's lavfi sources ----

def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def sample_video(media_dir) -> Path:
    """4 s 640x360 25 fps H.264 + AAC stereo, with a start timecode."""
    out = media_dir / "sample.mp4"
    if not out.exists():
        _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4",
                "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-timecode", "10:00:00:00", "-shortest", str(out))
    return out


@pytest.fixture(scope="session")
def sample_image(media_dir) -> Path:
    out = media_dir / "sample.png"
    if not out.exists():
        _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=800x600", "-frames:v", "1", str(out))
    return out


@pytest.fixture(scope="session")
def truncated_video(sample_video, media_dir) -> Path:
    out = media_dir / "truncated.mp4"
    data = sample_video.read_bytes()
    out.write_bytes(data[: len(data) // 3])
    return out


@pytest.fixture(scope="session")
def not_media(media_dir) -> Path:
    out = media_dir / "notes.mp4"
    out.write_bytes(b"this is a text file pretending to be a video\n" * 100)
    return out


@pytest.fixture(scope="session")
def hls_renditions(tmp_path_factory) -> dict[str, Path]:
    """hls, storyboard, waveform, proxy and poster folders in the agreed layout, made once per
    session with ffmpeg from a 3 s lavfi source (tests/hls_renditions.py)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing")
    from tests.hls_renditions import build_cached

    return build_cached(tmp_path_factory.mktemp("hls-renditions") / "made")
