"""`ortak coproduction`: CSV imports into a project's ledger (contributions, exchange rates), with a
progress bar and a dry run, and the verification of its chain. Each command is one unit of
work: it commits a clean import, and rolls back a dry run or an import with a refused row."""
from __future__ import annotations

import sys

import click

from archive.cli_errors import CommandError
from archive.cli_support import make_app, unit_of_work


@click.group()
def coproduction() -> None:
    """Co-production projects: CSV imports into the ledger, and its verification."""


def _import_into(kind: str, csv_path: str, project_id: str, as_user: str, dry_run: bool, **kw) -> None:
    from pathlib import Path

    from archive import db as dbm
    from archive.accounts import services as accounts
    from archive.coproduction import importer
    from archive.coproduction.projects import get_project

    with make_app().app_context():  # commits a clean import; a refused row or a dry run keeps nothing
        session = dbm.session()
        user = accounts.get_user(session, as_user)
        project = get_project(session, project_id, user)
        run = importer.import_contributions if kind == "contributions" else importer.import_rates
        result = run(session, project, Path(csv_path), user, **kw)
        for line, reason in result.refused:
            click.echo(f"line {line}: {reason}", err=True)
        if result.refused or dry_run:
            session.rollback()
        else:
            session.commit()
    if result.refused:
        click.echo(f"nothing imported: {len(result.refused)} of {result.rows} rows refused", err=True)
        sys.exit(1)
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {len(result.done)} {kind}" + (" (dry run: nothing kept)" if dry_run else ""))


@coproduction.command("import")
@click.argument("csv_path", type=click.Path())
@click.option("--project", "project_id", required=True, help="The project's id.")
@click.option("--as", "as_user", required=True, help="E-mail of the producer the entries are recorded by.")
@click.option("--dry-run", is_flag=True, help="Check every row as an import would, and keep nothing.")
def coproduction_import(csv_path, project_id, as_user, dry_run):
    """Import contributions from CSV (API field names as columns), all or nothing, with a progress bar."""
    _import_into("contributions", csv_path, project_id, as_user, dry_run)


@coproduction.command("rates")
@click.argument("csv_path", type=click.Path())
@click.option("--project", "project_id", required=True, help="The project's id.")
@click.option("--as", "as_user", required=True, help="E-mail of the producer who enters the rates.")
@click.option("--source", default=None, help="Where the rates come from (e.g. TCMB, CBAR), for rows without one.")
@click.option("--dry-run", is_flag=True, help="Check every row and keep nothing.")
def coproduction_rates(csv_path, project_id, as_user, source, dry_run):
    """Import exchange rates (currency,date,rate,source) from CSV, all or nothing."""
    _import_into("rates", csv_path, project_id, as_user, dry_run, source=source)


@coproduction.command("verify")
@click.argument("project_id")
def coproduction_verify(project_id):
    """Check a project's ledger chain: exit 0 when intact (prints the head), 1 naming the first bad record."""
    from archive.coproduction import ledger
    from archive.coproduction.models import Project

    with unit_of_work() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise CommandError(f"no project {project_id}")
        bad = ledger.verify(session, project)
        head, count = ledger.head(session, project), ledger.count(session, project)
    if bad is None:
        click.echo(f"ledger intact: {count} records, head {head}")
        sys.exit(0)
    click.echo(f"ledger broken at record {bad.id}: {bad.reason}", err=True)
    sys.exit(1)
