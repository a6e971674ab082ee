"""Perceptual hashes of video assets for reverse clip search (one blob per asset)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 05:10:00
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('video_fingerprints',
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('algorithm', sa.String(length=32), nullable=False),
    sa.Column('rate', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('planes', sa.Integer(), server_default='1', nullable=False),
    sa.Column('hashes', sa.LargeBinary(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('updated_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_video_fingerprints_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_video_fingerprints'))
    )
    with op.batch_alter_table('video_fingerprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_fingerprints_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('video_fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_fingerprints_updated_at'))
    op.drop_table('video_fingerprints')
