"""The usage log refuses UPDATE and DELETE (a trigger on PostgreSQL and on SQLite);
notifications (in-app, per user) and organisations' webhooks

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:50:00
"""
from alembic import op
import sqlalchemy as sa
import archive.db


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The message both databases raise; archive.usage.services.APPEND_ONLY names it for callers.
_REFUSAL = "usage_records is append-only: the usage log refuses UPDATE and DELETE"

_PG = [
    f"""CREATE FUNCTION ortak_usage_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{_REFUSAL} (% of record %)', TG_OP, OLD.id USING ERRCODE = 'insufficient_privilege';
END $$""",
    """CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE ON usage_records
FOR EACH ROW EXECUTE FUNCTION ortak_usage_records_append_only()""",
]
_SQLITE = [
    f"""CREATE TRIGGER usage_records_no_update BEFORE UPDATE ON usage_records
BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
    f"""CREATE TRIGGER usage_records_no_delete BEFORE DELETE ON usage_records
BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG if dialect == "postgresql" else _SQLITE if dialect == "sqlite" else []:
        op.execute(statement)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_notifications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name='uq_notifications_user_dedupe')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('organisation_webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_status', sa.String(length=200), nullable=True),
    sa.Column('last_attempt_at', archive.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_webhooks_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_webhooks')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_organisation_webhooks_organisation_id'))
    )


def downgrade() -> None:
    op.drop_table('organisation_webhooks')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_read')
    op.drop_table('notifications')
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS usage_records_append_only ON usage_records")
        op.execute("DROP FUNCTION IF EXISTS ortak_usage_records_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS usage_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS usage_records_no_delete")
