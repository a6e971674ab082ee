"""Progressive HLS: the files an in-progress make has published (rendition_live_files), and
the prefix and entry of that make on the rendition (live_prefix, live_entry)

While a make of an HLS ladder runs, the worker publishes each segment ffmpeg completes and an
EVENT media playlist listing the published ones; the rows here are what the file route may
serve before the make is complete. They go when the make is installed (ready) or fails.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_prefix', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('live_entry', sa.String(length=255), nullable=True))
    op.create_table('rendition_live_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rendition_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('blob_key', sa.String(length=512), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.ForeignKeyConstraint(['rendition_id'], ['renditions.id'],
                            name=op.f('fk_rendition_live_files_rendition_id_renditions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rendition_live_files')),
    sa.UniqueConstraint('rendition_id', 'path', name='uq_rendition_live_files_rendition_path')
    )


def downgrade() -> None:
    op.drop_table('rendition_live_files')
    with op.batch_alter_table('renditions', schema=None) as batch_op:
        batch_op.drop_column('live_entry')
        batch_op.drop_column('live_prefix')
