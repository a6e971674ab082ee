"""SQLite: the ids of rows people delete are never given again (AUTOINCREMENT)

On SQLite an `INTEGER PRIMARY KEY` without AUTOINCREMENT gives a new row the largest id in the
table plus one, so deleting the newest row frees its id for the next (SQLite's documentation,
"ROWIDs and the INTEGER PRIMARY KEY", https://sqlite.org/autoinc.html). Usage records, events,
lineage and the outside-rights report name rights blocks, markers, basket items and the rest by
id: a revoked grant's id taken by the next grant made the report say "changed" where it was
"deleted". PostgreSQL's sequences never give an id twice, so this is SQLite only: each of these
tables (rows deleted by users, no foreign key pointing at them) is made again with
AUTOINCREMENT, its rows copied with their ids. sqlite_sequence then starts at the largest id
kept; an id freed before this upgrade above it may still be given once.

The downgrade makes them again without AUTOINCREMENT.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 16:15:00
"""
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TABLES = ("rights_blocks", "markers", "basket_items", "coproduction_footage", "coproduction_budget_lines",
          "coproduction_milestones", "rights_contract_documents", "api_tokens")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
