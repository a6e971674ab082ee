"""Renditions as manifests of files with the hash of their profile; processing steps on assets

Every rendition's one blob becomes a one-file manifest (`rendition_files`): its path inside
the rendition is `<name>.<extension of the old key>` (`proxy.mp4`, `poster.jpg`), its key
stays where it is, and `renditions.entry` names it. A row whose blob lacked its size or
SHA-256 keeps no file and goes back to `pending` (the next renditions step makes it).
`spec_hash` stays NULL on every existing row: what profile made a file before profiles were
hashed is not known, so the next run of the renditions step for the asset re-makes it
(`ortak steps run renditions --all` does it for the archive); until then the old file is
served as before. `prefix` is NULL for such files (stored before per-make prefixes).

Downgrade: a rendition keeps its entry file as its one blob; the other files of a
multi-file rendition are forgotten by the database (they stay in storage).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00.000000
"""
import posixpath

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

renditions = sa.table('renditions', sa.column('id', sa.Integer), sa.column('name', sa.String),
                      sa.column('status', sa.String), sa.column('blob_key', sa.String),
                      sa.column('entry', sa.String), sa.column('size', sa.BigInteger),
                      sa.column('sha256', sa.String), sa.column('content_type', sa.String),
                      sa.column('file_count', sa.Integer))
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps', sa.JSON(), nullable=True))

    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spec_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('prefix', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('entry', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('file_count', sa.Integer(), server_default='0', nullable=False))

    op.create_table('rendition_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rendition_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('blob_key', sa.String(length=512), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.ForeignKeyConstraint(['rendition_id'], ['renditions.id'], name=op.f('fk_rendition_files_rendition_id_renditions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rendition_files')),
    sa.UniqueConstraint('rendition_id', 'path', name='uq_rendition_files_rendition_path')
    )

    conn = op.get_bind()
    # The entry path of each stored blob: the extension of a key is not portable SQL.
    last = 0
    while True:
        rows = conn.execute(sa.select(renditions.c.id, renditions.c.name, renditions.c.blob_key)
                            .where(renditions.c.blob_key.is_not(None), renditions.c.size.is_not(None),
                                   renditions.c.sha256.is_not(None), renditions.c.id > last)
                            .order_by(renditions.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(renditions.update().where(renditions.c.id == sa.bindparam('rid'))
                     .values(entry=sa.bindparam('path')),
                     [{'rid': r.id, 'path': r.name + posixpath.splitext(r.blob_key)[1]} for r in rows])
        last = rows[-1].id
    conn.execute(sa.text(
        "INSERT INTO rendition_files (rendition_id, path, blob_key, size, sha256, content_type) "
        "SELECT id, entry, blob_key, size, sha256, COALESCE(content_type, 'application/octet-stream') "
        "FROM renditions WHERE entry IS NOT NULL"))
    conn.execute(renditions.update().where(renditions.c.entry.is_not(None)).values(file_count=1))
    conn.execute(renditions.update().where(renditions.c.blob_key.is_not(None), renditions.c.entry.is_(None))
                 .values(status='pending', blob_key=None))

    # SQLite rebuilds the table to drop a column; the migration's connection has no foreign
    # key enforcement, so the rebuild does not cascade into rendition_files.
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.drop_column('blob_key')


def downgrade() -> None:
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blob_key', sa.String(length=512), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE renditions SET blob_key = (SELECT f.blob_key FROM rendition_files f "
        "WHERE f.rendition_id = renditions.id AND f.path = renditions.entry)"))
    op.drop_table('rendition_files')
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.drop_column('file_count')
        batch_op.drop_column('entry')
        batch_op.drop_column('prefix')
        batch_op.drop_column('spec_hash')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_column('steps')
