"""The access gate: read sessions, and the decision, reasons, conditions and segment on usage records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:00:18.246414
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('read_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal', sa.String(length=64), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('what', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('declaration_digest', sa.String(length=64), nullable=False),
    sa.Column('usage_record_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_read_sessions_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['usage_record_id'], ['usage_records.id'], name=op.f('fk_read_sessions_usage_record_id_usage_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_sessions')),
    sa.UniqueConstraint('principal', 'asset_id', 'what', 'outcome', 'declaration_digest', name='uq_read_sessions_key')
    )
    with op.batch_alter_table('read_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_sessions_asset_id'), ['asset_id'], unique=False)

    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('conditions', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('segment', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.drop_column('segment')
        batch_op.drop_column('conditions')
        batch_op.drop_column('reasons')
        batch_op.drop_column('decision')

    with op.batch_alter_table('read_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_read_sessions_asset_id'))

    op.drop_table('read_sessions')
