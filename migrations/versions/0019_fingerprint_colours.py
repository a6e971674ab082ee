"""Reverse clip search: each fingerprint row's regions' colours (video_fingerprints.colours)

Fingerprints version 5 writes, beside the perceptual hashes, the mean Y, Cb and Cr of each
hashed region of each sample (`archive.media.fingerprints.colours`); the verification of a
lookup compares them (`archive.provenance.matching.colour_apart`). Rows made before stay NULL
and are compared by their hashes alone until `ortak steps run renditions --all` makes them
again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('video_fingerprints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('colours', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('video_fingerprints', schema=None) as batch_op:
        batch_op.drop_column('colours')
