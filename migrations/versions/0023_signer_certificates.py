"""The certificates this archive has signed hand-outs with, kept after a key is rotated

`signer_certificates`: one row per signer certificate (its SHA-256 fingerprint), with the common
name and serial number a C2PA manifest names its signer by and the PEM chain, written the first
time the archive signs with it (archive.provenance.credentials.remember_signer). An export
signed with an earlier key that comes back names its source as one signed with the current
key does. Certificates used only before this revision are not known (their exports are not
linked); the current one is added at its next signing.

The downgrade drops the table.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 08:40:00
"""
import sqlalchemy as sa
from alembic import op

import archive.db

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signer_certificates',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('common_name', sa.String(length=255), nullable=False),
    sa.Column('serial_number', sa.String(length=64), nullable=False),
    sa.Column('chain_pem', sa.Text(), nullable=False),
    sa.Column('first_used_at', archive.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_signer_certificates'))
    )


def downgrade() -> None:
    op.drop_table('signer_certificates')
