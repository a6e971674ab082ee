"""Co-production footage: a project's footage may be a segment (in/out) of an asset

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('coproduction_footage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('segment_in', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('segment_out', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('segment_key', sa.String(length=40), server_default='', nullable=False))
        batch_op.drop_constraint('uq_coproduction_footage_project_asset', type_='unique')
        batch_op.create_unique_constraint('uq_coproduction_footage_project_asset_segment',
                                          ['project_id', 'asset_id', 'segment_key'])


def downgrade() -> None:
    # Segments go; the whole-asset links stay (one per asset and project).
    op.execute("DELETE FROM coproduction_footage WHERE segment_key <> '' AND EXISTS (SELECT 1 FROM "
               "coproduction_footage AS whole WHERE whole.project_id = coproduction_footage.project_id "
               "AND whole.asset_id = coproduction_footage.asset_id AND whole.segment_key = '')")
    op.execute("DELETE FROM coproduction_footage WHERE segment_key <> '' AND id NOT IN (SELECT MIN(id) FROM "
               "coproduction_footage GROUP BY project_id, asset_id)")
    with op.batch_alter_table('coproduction_footage', schema=None) as batch_op:
        batch_op.drop_constraint('uq_coproduction_footage_project_asset_segment', type_='unique')
        batch_op.create_unique_constraint('uq_coproduction_footage_project_asset', ['project_id', 'asset_id'])
        batch_op.drop_column('segment_key')
        batch_op.drop_column('segment_out')
        batch_op.drop_column('segment_in')
