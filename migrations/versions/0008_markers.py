"""Markers: timecoded notes on an asset's timeline

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 01:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('in_frame', sa.Integer(), nullable=False),
    sa.Column('out_frame', sa.Integer(), nullable=True),
    sa.Column('rate', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('in_frame >= 0', name=op.f('ck_markers_in_frame')),
    sa.CheckConstraint('out_frame IS NULL OR out_frame > in_frame', name=op.f('ck_markers_out_after_in')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_markers_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_markers_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markers'))
    )
    with op.batch_alter_table('markers', schema=None) as batch_op:
        batch_op.create_index('ix_markers_asset_in', ['asset_id', 'in_frame'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('markers', schema=None) as batch_op:
        batch_op.drop_index('ix_markers_asset_in')
    op.drop_table('markers')
