"""The database: engine, sessions bound to the app context, and the model base."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Callable, Iterable

from flask import current_app, g, has_request_context
from sqlalchemy import DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # WAL lets the worker write while the web reads
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)

    def check(self) -> None:
        """Raise the driver's error unless the database answers a trivial query."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def get_db() -> Database:
    return current_app.extensions["ortak.db"]


def session() -> Session:
    """The session of the current app context (request, CLI command or task)."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    return g.db_session


def init_unit_of_work(app, finish: Iterable[Callable[[Session, bool], None]] = ()) -> None:
    """One unit of work per request: committed once, when the view's answer is a success,
    before any byte of its body leaves (so a usage record is durable before the download
    starts); rolled back when the answer is an error, unless `keep_work` was called. Views
    and services never commit (a test checks it); long operations use `checkpoint`.

    `finish`: steps run after the commit or rollback, before the answer leaves, each with the
    session and whether it committed (`archive.indexing.finish_request` writes the search
    documents `archive.index_now` held)."""

    @app.after_request
    def _end_unit_of_work(response):
        s = g.get("db_session")
        if s is not None:
            committed = response.status_code < 400 or g.pop("ortak_keep_work", False)
            if committed:
                s.commit()
            else:
                s.rollback()
            for step in finish:
                step(s, committed)
        return response


def is_unit_of_work(session: Session) -> bool:
    """Whether `session` is the current request's unit of work: the one `init_unit_of_work`
    commits or rolls back and runs its `finish` steps with (not a CLI command's or a task's,
    nor a session a request opened for itself)."""
    return has_request_context() and g.get("db_session") is session


def keep_work() -> None:
    """Commit this request's unit of work even though its answer will be an error: the work
    is the point (the access gate records a refused read, then answers 403)."""
    g.ortak_keep_work = True


def checkpoint(session: Session) -> None:
    """Make the work so far durable in the middle of a long unit of work.

    The unit-of-work owner (the request, the task body, the CLI command) commits once at its
    end; services only flush. An operation that runs for minutes or hours inside one unit of
    work (a tus PATCH streaming gigabytes, a transcode reporting progress) commits its
    progress here, so that the state others read moves on and a crash loses little. Only
    such operations call it, and their docstrings say so.
    """
    session.commit()


def close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
