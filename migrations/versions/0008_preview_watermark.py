"""Organisations: the text burned into the previews of their assets (NULL: none)

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-30 02:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview_watermark', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('preview_watermark')
