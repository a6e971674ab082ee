"""Co-production: projects, parties, budget lines, milestones, footage, exchange rates, the
hash-chained contribution ledger, and the joint working commission's meetings

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29 23:32:30.326148
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commission_meetings',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('city', sa.String(length=200), nullable=False),
    sa.Column('host_country', sa.String(length=2), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('project_ids', sa.JSON(), nullable=False),
    sa.Column('minutes_key', sa.String(length=512), nullable=True),
    sa.Column('minutes_filename', sa.String(length=255), nullable=True),
    sa.Column('minutes_content_type', sa.String(length=127), nullable=True),
    sa.Column('minutes_size', sa.BigInteger(), nullable=True),
    sa.Column('minutes_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("host_country IN ('TR', 'AZ')", name=op.f('ck_commission_meetings_host_country')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_commission_meetings_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_meetings'))
    )
    with op.batch_alter_table('commission_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_commission_meetings_date', ['date'], unique=False)

    op.create_table('coproduction_projects',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('rule_set', sa.String(length=64), nullable=True),
    sa.Column('footage_rate_minor', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('film', 'series', 'documentary', 'programme_exchange', 'event_coverage')", name=op.f('ck_coproduction_projects_kind')),
    sa.CheckConstraint("status IN ('development', 'production', 'post_production', 'delivered')", name=op.f('ck_coproduction_projects_status')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_coproduction_projects_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_projects'))
    )
    op.create_table('coproduction_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('planned_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_budget_lines_project_id_coproduction_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_budget_lines')),
    sa.UniqueConstraint('project_id', 'category', name='uq_coproduction_budget_lines_category')
    )
    with op.batch_alter_table('coproduction_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coproduction_budget_lines_project_id'), ['project_id'], unique=False)

    op.create_table('coproduction_footage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('asset_id', sa.String(length=36), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_coproduction_footage_added_by_users')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_coproduction_footage_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_footage_project_id_coproduction_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_footage')),
    sa.UniqueConstraint('project_id', 'asset_id', name='uq_coproduction_footage_project_asset')
    )
    with op.batch_alter_table('coproduction_footage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coproduction_footage_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coproduction_footage_project_id'), ['project_id'], unique=False)

    op.create_table('coproduction_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('share', sa.String(length=40), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'co_producer', 'contributor')", name=op.f('ck_coproduction_parties_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_coproduction_parties_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_parties_project_id_coproduction_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_parties')),
    sa.UniqueConstraint('project_id', 'organisation_id', name='uq_coproduction_parties_project_org')
    )
    with op.batch_alter_table('coproduction_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coproduction_parties_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coproduction_parties_project_id'), ['project_id'], unique=False)

    op.create_table('coproduction_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_coproduction_rates_created_by_users')),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_rates_project_id_coproduction_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_rates')),
    sa.UniqueConstraint('project_id', 'currency', 'date', name='uq_coproduction_rates_key')
    )
    op.create_table('coproduction_ledger',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_organisation_id', sa.Integer(), nullable=False),
    sa.Column('actor_country', sa.String(length=2), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('basis', sa.JSON(), nullable=True),
    sa.Column('budget_category', sa.String(length=100), nullable=True),
    sa.Column('asset_id', sa.String(length=36), nullable=True),
    sa.Column('segment', sa.JSON(), nullable=True),
    sa.Column('fx_rate', sa.String(length=40), nullable=True),
    sa.Column('fx_date', sa.Date(), nullable=True),
    sa.Column('fx_source', sa.String(length=200), nullable=True),
    sa.Column('reporting_minor', sa.BigInteger(), nullable=True),
    sa.Column('reverses_id', sa.String(length=36), nullable=True),
    sa.Column('target_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IS NULL OR kind IN ('cash', 'crew', 'service', 'footage', 'rights')", name=op.f('ck_coproduction_ledger_kind')),
    sa.CheckConstraint("type IN ('contribution', 'confirmation', 'dispute', 'answer')", name=op.f('ck_coproduction_ledger_type')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_coproduction_ledger_actor_id_users')),
    sa.ForeignKeyConstraint(['actor_organisation_id'], ['organisations.id'], name=op.f('fk_coproduction_ledger_actor_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_coproduction_ledger_asset_id_assets')),
    sa.ForeignKeyConstraint(['party_id'], ['coproduction_parties.id'], name=op.f('fk_coproduction_ledger_party_id_coproduction_parties')),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_ledger_project_id_coproduction_projects')),
    sa.ForeignKeyConstraint(['reverses_id'], ['coproduction_ledger.id'], name=op.f('fk_coproduction_ledger_reverses_id_coproduction_ledger')),
    sa.ForeignKeyConstraint(['target_id'], ['coproduction_ledger.id'], name=op.f('fk_coproduction_ledger_target_id_coproduction_ledger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_ledger')),
    sa.UniqueConstraint('hash', name=op.f('uq_coproduction_ledger_hash')),
    sa.UniqueConstraint('project_id', 'prev_hash', name='uq_coproduction_ledger_prev_hash'),
    sa.UniqueConstraint('project_id', 'seq', name='uq_coproduction_ledger_seq'),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_coproduction_ledger_reverses_id'))
    )
    with op.batch_alter_table('coproduction_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coproduction_ledger_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index('ix_coproduction_ledger_project_type', ['project_id', 'type', 'date'], unique=False)
        batch_op.create_index('ix_coproduction_ledger_target', ['target_id', 'type'], unique=False)

    op.create_table('coproduction_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('owner_party_id', sa.Integer(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_party_id'], ['coproduction_parties.id'], name=op.f('fk_coproduction_milestones_owner_party_id_coproduction_parties')),
    sa.ForeignKeyConstraint(['project_id'], ['coproduction_projects.id'], name=op.f('fk_coproduction_milestones_project_id_coproduction_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coproduction_milestones'))
    )
    with op.batch_alter_table('coproduction_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coproduction_milestones_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('coproduction_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coproduction_milestones_project_id'))

    op.drop_table('coproduction_milestones')
    with op.batch_alter_table('coproduction_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_coproduction_ledger_target')
        batch_op.drop_index('ix_coproduction_ledger_project_type')
        batch_op.drop_index(batch_op.f('ix_coproduction_ledger_asset_id'))

    op.drop_table('coproduction_ledger')
    op.drop_table('coproduction_rates')
    with op.batch_alter_table('coproduction_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coproduction_parties_project_id'))
        batch_op.drop_index(batch_op.f('ix_coproduction_parties_organisation_id'))

    op.drop_table('coproduction_parties')
    with op.batch_alter_table('coproduction_footage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coproduction_footage_project_id'))
        batch_op.drop_index(batch_op.f('ix_coproduction_footage_asset_id'))

    op.drop_table('coproduction_footage')
    with op.batch_alter_table('coproduction_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coproduction_budget_lines_project_id'))

    op.drop_table('coproduction_budget_lines')
    op.drop_table('coproduction_projects')
    with op.batch_alter_table('commission_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_commission_meetings_date')

    op.drop_table('commission_meetings')
