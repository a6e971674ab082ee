"""Fixity checks: one row per check of a stored original or rendition file (PREMIS "fixity check" events)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 05:10:00
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fixity_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rendition', sa.String(length=32), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=True),
    sa.Column('blob_key', sa.String(length=512), nullable=False),
    sa.Column('expected_sha256', sa.String(length=64), nullable=False),
    sa.Column('actual_sha256', sa.String(length=64), nullable=True),
    sa.Column('expected_size', sa.BigInteger(), nullable=True),
    sa.Column('bytes_read', sa.BigInteger(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('agent', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IN ('pass', 'fail', 'missing')", name=op.f('ck_fixity_checks_outcome')),
    sa.CheckConstraint("kind IN ('original', 'rendition')", name=op.f('ck_fixity_checks_kind')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_fixity_checks_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixity_checks'))
    )
    with op.batch_alter_table('fixity_checks', schema=None) as batch_op:
        batch_op.create_index('ix_fixity_checks_blob_key_at', ['blob_key', 'at'], unique=False)
        batch_op.create_index('ix_fixity_checks_asset_at', ['asset_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fixity_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_fixity_checks_asset_at')
        batch_op.drop_index('ix_fixity_checks_blob_key_at')
    op.drop_table('fixity_checks')
