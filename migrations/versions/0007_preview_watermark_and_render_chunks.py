"""Organisations: the text burned into the previews of their assets (NULL: none); chunks of
chunked renders (`render_chunks`), which any worker may encode

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

import archive.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview_watermark', sa.String(length=120), nullable=True))
    op.create_table(
        'render_chunks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('asset_id', sa.String(length=36), nullable=False),
        sa.Column('make', sa.String(length=32), nullable=False),
        sa.Column('index', sa.Integer(), nullable=False),
        sa.Column('start', sa.Float(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('profiles', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('worker', sa.String(length=255), nullable=True),
        sa.Column('key_prefix', sa.String(length=512), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('claimed_at', archive.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name=op.f('ck_render_chunks_status')),
        sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_render_chunks_asset_id_assets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_render_chunks')),
        sa.UniqueConstraint('make', 'index', name='uq_render_chunks_make_index'),
    )
    with op.batch_alter_table('render_chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_render_chunks_asset_id'), ['asset_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('render_chunks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_render_chunks_asset_id'))
    op.drop_table('render_chunks')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('preview_watermark')
