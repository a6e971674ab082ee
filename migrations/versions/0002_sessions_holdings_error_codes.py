"""Server-side browser sessions, copies held by other organisations, error codes on assets,
display names of users, disabled organisations, the holding outcome of a duplicate upload

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 21:49:20.254739
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('asset_holdings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_asset_holdings_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_asset_holdings_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_asset_holdings_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_holdings')),
    sa.UniqueConstraint('asset_id', 'organisation_id', name='uq_asset_holdings_asset_org')
    )
    with op.batch_alter_table('asset_holdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_holdings_asset_id'), ['asset_id'], unique=False)

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=64), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holding', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_column('holding')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('active')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('name')

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_column('error_code')

    with op.batch_alter_table('asset_holdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_holdings_asset_id'))

    op.drop_table('asset_holdings')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
