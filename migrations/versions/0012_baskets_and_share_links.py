"""Baskets (items, members, zip state) and share links; usage records name the share link

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 02:51:03.453945
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0012'
down_revision = '0011'
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

    op.create_table('share_links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('basket_id', sa.String(length=36), nullable=True),
    sa.Column('asset_id', sa.String(length=36), nullable=True),
    sa.Column('creator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('max_downloads', sa.Integer(), nullable=True),
    sa.Column('downloads', sa.Integer(), nullable=False),
    sa.Column('renditions', sa.JSON(), nullable=False),
    sa.CheckConstraint('(basket_id IS NULL) <> (asset_id IS NULL)', name=op.f('ck_share_links_one_subject')),
    sa.CheckConstraint('downloads >= 0', name=op.f('ck_share_links_downloads')),
    sa.CheckConstraint('max_downloads IS NULL OR max_downloads > 0', name=op.f('ck_share_links_max_downloads')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_share_links_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['basket_id'], ['baskets.id'], name=op.f('fk_share_links_basket_id_baskets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], name=op.f('fk_share_links_creator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_share_links_token_hash'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_links_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_basket_id'), ['basket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_links_creator_id'), ['creator_id'], unique=False)

    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_link_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_usage_records_share_link_id'), ['share_link_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('usage_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_records_share_link_id'))
        batch_op.drop_column('share_link_id')

    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_links_creator_id'))
        batch_op.drop_index(batch_op.f('ix_share_links_basket_id'))
        batch_op.drop_index(batch_op.f('ix_share_links_asset_id'))

    op.drop_table('share_links')

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
