"""Organisation names unique whatever their case; share links keep their last download's time

1. `organisations.name_key`: the name as it is compared (case folded, the Turkish and
   Azerbaijani i's `I ı İ i` one letter, NFC, white space runs as one space; see
   archive/accounts/names.py), under a unique index, so "TRT" and "trt", or "İstanbul TV" and
   "ISTANBUL TV", cannot be two organisations. Each existing organisation gets its key. A
   database that already holds names that are the same name this way is NOT refused (the
   upgrade of a running archive must not stop on its data): the oldest organisation of each
   such group (lowest id) keeps the key, the others keep NULL (a unique index allows several
   NULLs on SQLite and PostgreSQL), and the upgrade names each pair on stderr with the fix:
   `ortak org rename` the newer one (its rename fills its key; no new organisation may take a
   name that is the same as any keyed one meanwhile).
2. `share_links.last_download_at`: when the last counted download started. A read that
   continues a file (`Range: bytes=N-`, N > 0) is served uncounted only within
   ORTAK_SHARE_CONTINUATION_SECONDS of it. Links made before have none: their continuations
   count as downloads (refused once a link has given them all) until their next counted one.

The downgrade drops both columns (and the index).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 21:05:00
"""
import sys
import unicodedata

import sqlalchemy as sa
from alembic import op

import archive.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_I = str.maketrans({"I": "i", "ı": "i", "İ": "i"})


def name_key(name: str) -> str:
    """archive.accounts.names.name_key as it was at this revision (a migration keeps its own copy:
    the application's may change later, this data migration must not)."""
    text = unicodedata.normalize("NFC", " ".join(name.split()))
    text = text.translate(_I).casefold().replace("i\u0307", "i")
    return unicodedata.normalize("NFC", text)


def _fill_keys() -> list[tuple[str, str]]:
    """Set each organisation's key, oldest first; [(kept name, clashing name)] for those left NULL."""
    conn = op.get_bind()
    orgs = sa.table("organisations", sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("name_key", sa.String))
    owner: dict[str, str] = {}
    clashes = []
    for org_id, name in conn.execute(sa.select(orgs.c.id, orgs.c.name).order_by(orgs.c.id)).all():
        key = name_key(name)
        if key in owner:
            clashes.append((owner[key], name))
            continue
        owner[key] = name
        conn.execute(orgs.update().where(orgs.c.id == org_id).values(name_key=key))
    return clashes


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=600), nullable=True))
    clashes = _fill_keys()
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_name_key'), ['name_key'], unique=True)
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_download_at', archive.db.UTCDateTime(timezone=True), nullable=True))
    for kept, clash in clashes:
        print(f"warning: organisation {clash!r} has the same name as the older {kept!r} but for case or the "
              f"Turkish i's; it is kept, without a name key: give it another name with "
              f"`ortak org rename {clash!r} NEW-NAME`", file=sys.stderr)


def downgrade() -> None:
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('last_download_at')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name_key'))
        batch_op.drop_column('name_key')
