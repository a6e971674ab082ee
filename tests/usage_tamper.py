"""Tampering with the usage log the way someone with the database's owner rights could: the
append-only triggers (migration 0007) are switched off for one transaction, the statements run,
and the triggers are back before it commits. Tests of what `ortak audit verify` detects use it."""
from __future__ import annotations

from sqlalchemy import text

from archive import db


def tamper(app, *statements) -> None:
    """Run `statements` on usage_records past its triggers, in one transaction: SQL text,
    (SQL, params), or a callable given the session (ORM changes, flushed before the triggers return)."""
    with app.app_context():
        s = db.session()
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            s.execute(text("ALTER TABLE usage_records DISABLE TRIGGER USER"))
        else:
            triggers = s.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name = 'usage_records'")).all()
            for name, _sql in triggers:
                s.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            if callable(statement):
                statement(s)
                s.flush()
                continue
            sql, params = statement if isinstance(statement, tuple) else (statement, {})
            s.execute(text(sql), params)
        if dialect == "postgresql":
            s.execute(text("ALTER TABLE usage_records ENABLE TRIGGER USER"))
        else:
            for _name, sql in triggers:
                s.execute(text(sql))
        s.commit()
