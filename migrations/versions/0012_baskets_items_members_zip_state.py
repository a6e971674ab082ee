"""Baskets: items, members, zip state

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-30 02:51:03.453945
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('baskets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('zip_status', sa.String(length=16), nullable=True),
    sa.Column('zip_progress', sa.Float(), nullable=False),
    sa.Column('zip_key', sa.String(length=300), nullable=True),
    sa.Column('zip_size', sa.BigInteger(), nullable=True),
    sa.Column('zip_sha256', sa.String(length=64), nullable=True),
    sa.Column('zip_error', sa.Text(), nullable=True),
    sa.Column('zip_declaration', sa.JSON(), nullable=True),
    sa.Column('zip_requester_id', sa.Integer(), nullable=True),
    sa.Column('zip_requested_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("zip_status IS NULL OR zip_status IN ('queued', 'building', 'ready', 'failed')", name=op.f('ck_baskets_zip_status')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_baskets_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_baskets_owner_id_users')),
    sa.ForeignKeyConstraint(['zip_requester_id'], ['users.id'], name=op.f('fk_baskets_zip_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_baskets'))
    )
    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baskets_owner_id'), ['owner_id'], unique=False)

    op.create_table('basket_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('basket_id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('in_frame', sa.Integer(), nullable=True),
    sa.Column('out_frame', sa.Integer(), nullable=True),
    sa.Column('rate', sa.String(length=32), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(in_frame IS NULL AND out_frame IS NULL) OR (in_frame IS NOT NULL AND out_frame > in_frame)', name=op.f('ck_basket_items_segment')),
    sa.CheckConstraint('in_frame IS NULL OR in_frame >= 0', name=op.f('ck_basket_items_in_frame')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_basket_items_added_by_id_users')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_basket_items_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['basket_id'], ['baskets.id'], name=op.f('fk_basket_items_basket_id_baskets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_items'))
    )
    with op.batch_alter_table('basket_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basket_items_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index('ix_basket_items_basket_id_id', ['basket_id', 'id'], unique=False)

    op.create_table('basket_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('basket_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('access', sa.String(length=8), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("access IN ('read', 'edit')", name=op.f('ck_basket_members_access')),
    sa.ForeignKeyConstraint(['basket_id'], ['baskets.id'], name=op.f('fk_basket_members_basket_id_baskets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_basket_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_basket_members')),
    sa.UniqueConstraint('basket_id', 'user_id', name='basket_user')
    )
    with op.batch_alter_table('basket_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basket_members_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('basket_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basket_members_user_id'))

    op.drop_table('basket_members')
    with op.batch_alter_table('basket_items', schema=None) as batch_op:
        batch_op.drop_index('ix_basket_items_basket_id_id')
        batch_op.drop_index(batch_op.f('ix_basket_items_asset_id'))

    op.drop_table('basket_items')
    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baskets_owner_id'))

    op.drop_table('baskets')
