"""Content credentials (C2PA): what each master carried at ingest, and the signed copies of
renditions handed out

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 05:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('manifests', sa.JSON(), nullable=False),
    sa.Column('renditions', sa.JSON(), nullable=False),
    sa.Column('read_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('absent', 'valid', 'trusted', 'invalid', 'unsupported', 'unverified')", name=op.f('ck_content_credentials_state')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_content_credentials_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_credentials')),
    sa.UniqueConstraint('asset_id', name=op.f('uq_content_credentials_asset_id'))
    )
    op.create_table('signed_renditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('rendition', sa.String(length=64), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('signer', sa.String(length=64), nullable=False),
    sa.Column('blob_key', sa.String(length=512), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_signed_renditions_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_renditions')),
    sa.UniqueConstraint('asset_id', 'rendition', 'source_sha256', 'signer', name=op.f('uq_signed_renditions_asset_id'))
    )
    with op.batch_alter_table('signed_renditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signed_renditions_asset_id'), ['asset_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signed_renditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signed_renditions_asset_id'))
    op.drop_table('signed_renditions')
    op.drop_table('content_credentials')
