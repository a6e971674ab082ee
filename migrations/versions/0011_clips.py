"""Clips: an asset cut from another names its source (`assets.source_id`, indexed)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 02:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_assets_source_id'), ['source_id'], unique=False)
        batch_op.create_foreign_key('fk_assets_source_id_assets', 'assets', ['source_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_constraint('fk_assets_source_id_assets', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assets_source_id'))
        batch_op.drop_column('source_id')
