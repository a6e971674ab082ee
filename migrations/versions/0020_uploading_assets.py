"""An upload is an asset from its first request (assets.sha256 and original_key nullable,
uploads.placeholder_id)

`POST /api/v1/uploads` makes the asset at once, in status `uploading`, so it is findable by
its Upload-Metadata title while its bytes arrive. Such an asset has no original yet: its
`sha256` and `original_key` are NULL until the last byte is stored (NULLs do not collide
under the unique constraint on sha256, on SQLite nor on PostgreSQL). `uploads.placeholder_id`
keeps the id of the asset an upload made at creation, after that row is gone (its bytes
duplicated an asset the archive held, or the upload was terminated or expired), so the id
still answers with the reason.

The downgrade removes the assets still uploading (and their uploads' links to them) before
the columns become NOT NULL again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('original_key', existing_type=sa.String(length=512), nullable=True)
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placeholder_id', sa.String(length=36), nullable=True))
        batch_op.create_index('ix_uploads_placeholder_id', ['placeholder_id'], unique=False)


def downgrade() -> None:
    gone = "SELECT id FROM assets WHERE sha256 IS NULL OR original_key IS NULL"
    op.execute(f"UPDATE uploads SET asset_id = NULL WHERE asset_id IN ({gone})")
    op.execute(f"DELETE FROM assets WHERE id IN (SELECT id FROM ({gone}) AS g)")
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_uploads_placeholder_id')
        batch_op.drop_column('placeholder_id')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.alter_column('original_key', existing_type=sa.String(length=512), nullable=False)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
