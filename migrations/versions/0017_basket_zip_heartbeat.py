"""Baskets: the zip build's heartbeat (zip_updated_at), so the sweeper tells a dead build from a slow one

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 05:35:00
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zip_updated_at', archive.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_baskets_zip_status'), ['zip_status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baskets_zip_status'))
        batch_op.drop_column('zip_updated_at')
