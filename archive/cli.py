"""The `ortak` command. Each command builds the app with create_app() and calls a service."""
from __future__ import annotations

import os
import sys

import click

from archive.errors import ApiError


def _app():
    from archive import create_app

    app = create_app()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # close the pool when the command ends, even by sys.exit
        ctx.call_on_close(app.extensions["ortak.db"].dispose)
    return app


def _fail(exc: ApiError) -> None:
    click.echo(f"error: {exc.message} ({exc.code})", err=True)
    sys.exit(2)


@click.group()
def main() -> None:
    """Ortak: the media-asset exchange and co-production archive."""


@main.command()
@click.option("--host", default=None, help="Bind address (ORTAK_HOST).")
@click.option("--port", default=None, type=int, help="Port (ORTAK_PORT).")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
def serve(host, port, workers):
    """Run the web service (gunicorn)."""
    app = _app()
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
                               "--workers", str(workers), "--worker-class", "gthread", "--threads", "8",
                               "--timeout", "0", "--graceful-timeout", "10",
                               "--access-logfile", "-", "archive.wsgi:app"])


@main.command()
@click.option("--concurrency", default=2, show_default=True)
@click.option("--queues", default="celery,media", show_default=True)
@click.option("--beat/--no-beat", default=True, help="Also run the sweeper schedule in this worker.")
def worker(concurrency, queues, beat):
    """Run a Celery worker (media and housekeeping queues)."""
    from workers.celery_app import celery

    argv = ["worker", "--loglevel", "INFO", "--concurrency", str(concurrency), "-Q", queues,
            "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:
        data = celery.flask_app.config["DATA_DIR"]
        argv += ["--beat", "--schedule", os.path.join(data, "celerybeat-schedule")]
    celery.worker_main(argv)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply the Alembic migrations."""
    from archive.migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@main.group()
def org() -> None:
    """Organisations."""


@org.command("create")
@click.argument("name")
@click.option("--country", required=True, type=click.Choice(["TR", "AZ"], case_sensitive=False))
def org_create(name, country):
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        try:
            o = services.create_organisation(dbm.session(), name, country)
            dbm.session().commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"organisation {o.name} ({o.country}) id={o.id}")


@main.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.argument("email")
@click.option("--org", "organisation", required=True)
@click.option("--role", required=True, type=click.Choice(["producer", "broadcaster", "rights_manager", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, organisation, role, password_stdin):
    from archive import db as dbm
    from archive.accounts import services

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _app().app_context():
        try:
            u = services.create_user(dbm.session(), email, password, organisation, role)
            dbm.session().commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"user {u.email} ({u.role}) id={u.id}")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default=None)
def token_create(email, name):
    """Print a new API token for EMAIL (shown once; only its hash is kept)."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        try:
            tok = services.create_token(dbm.session(), services.get_user(dbm.session(), email), name)
            dbm.session().commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(tok)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--metadata", "metadata_file", type=click.Path(), default=None,
              help="CSV or JSON with one row per file (column 'filename' or 'path').")
@click.option("--as", "as_user", required=True, help="E-mail of the producer the files are imported for.")
def import_(paths, metadata_file, as_user):
    """Bulk ingest files with a progress bar."""
    from archive.ingest.bulk import run_import

    with _app().app_context():
        try:
            code = run_import(list(paths), metadata_file, as_user)
        except ApiError as exc:
            _fail(exc)
    sys.exit(code)


@main.command()
def reindex():
    """Rebuild the search index from the database, with a progress bar."""
    from archive import db as dbm
    from archive.indexing import reindex_all
    from archive.services import search_backend

    with _app().app_context():
        n = reindex_all(dbm.session(), search_backend(), progress=True)
    click.echo(f"indexed {n} assets")


@main.command()
def sweep():
    """Re-queue work stuck longer than ORTAK_STUCK_AFTER seconds (the worker's beat also runs this)."""
    from workers.sweeper import sweep_stuck

    with _app().app_context():
        n = sweep_stuck()
    click.echo(f"re-queued {n}")


@main.group()
def audit() -> None:
    """The usage log."""


@audit.command("verify")
def audit_verify():
    """Check the usage-log hash chain: exit 0 when intact, 1 naming the first bad record."""
    from archive import db as dbm
    from archive.usage.services import verify_chain

    with _app().app_context():
        bad = verify_chain(dbm.session())
    if bad is None:
        click.echo("usage log intact")
        sys.exit(0)
    click.echo(f"usage log broken at record {bad.id}: {bad.reason}", err=True)
    sys.exit(1)


@main.command()
@click.option("--email", default="admin@ortak.local", show_default=True)
def bootstrap(email):
    """First run: migrate, and create an admin (printing its password) when there are no users."""
    import secrets

    from sqlalchemy import func, select

    from archive import db as dbm
    from archive.accounts import services
    from archive.accounts.models import Organisation, User
    from archive.migrate import upgrade

    app = _app()
    upgrade(app.config["DATABASE_URL"], "head")
    with app.app_context():
        s = dbm.session()
        if s.scalar(select(func.count()).select_from(User)):
            click.echo("users exist already; log in with your account")
            return
        if not s.scalar(select(Organisation).where(Organisation.name == "Ortak")):
            services.create_organisation(s, "Ortak", "TR")
        password = secrets.token_urlsafe(12)
        services.create_user(s, email, password, "Ortak", "admin")
        s.commit()
        pw_file = os.path.join(app.config["DATA_DIR"], "admin-password.txt")
        with open(os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            fh.write(f"{email}\n{password}\n")
        click.echo(f"created admin {email} with password {password} (also in {pw_file})")


if __name__ == "__main__":
    main()
