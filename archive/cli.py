"""The `ortak` command. Each command builds the app with create_app() and calls a service.

Failures an operator can fix (configuration, a database without its schema, an unreachable
database, store, search engine or broker) end any command with one line and exit status 2:
the group's class, `archive.cli_errors.OrtakGroup`, does that for every command.
"""
from __future__ import annotations

import os
import sys

import click

from archive.cli_coproduction import coproduction
from archive.cli_errors import CommandError, OrtakGroup, not_migrated_message
from archive.errors import ApiError
from archive.task_handles import QUEUES


def _app():
    from archive import create_app

    app = create_app()
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # close the pool when the command ends, even by sys.exit
        ctx.call_on_close(app.extensions["ortak.db"].dispose)
    return app


def _fail(exc: ApiError) -> None:
    raise CommandError(f"{exc.message} ({exc.code})") from exc


def _require_schema(app) -> None:
    """Refuse to start a long-running process on a database without the current schema."""
    from archive.migrate import known_revisions, schema_revisions

    url = app.config["DATABASE_URL"]
    current, heads = schema_revisions(url)
    if current != heads:
        if current and not set(current) & known_revisions(url):
            raise CommandError(f"the database is at schema revision {', '.join(current)}, which this version "
                               f"of Ortak does not know (it ends at {', '.join(heads)}): upgrade Ortak")
        raise CommandError(not_migrated_message(url, current, heads))


@click.group(cls=OrtakGroup)
def main() -> None:
    """Ortak: the media-asset exchange and co-production archive."""


@main.command()
@click.option("--host", default=None, help="Bind address (ORTAK_HOST).")
@click.option("--port", default=None, type=int, help="Port (ORTAK_PORT).")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
def serve(host, port, workers):
    """Run the web service (gunicorn, configured by archive.gunicorn_conf)."""
    app = _app()
    _require_schema(app)
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "--config", "python:archive.gunicorn_conf",
                               "--bind", f"{host}:{port}", "--workers", str(workers), "archive.wsgi:app"])


@main.command()
@click.option("--concurrency", default=2, show_default=True)
@click.option("--queues", default=",".join(QUEUES), show_default=True)
@click.option("--beat/--no-beat", default=True,
              help="Also run the scheduler (the sweeper's timer) in this worker; at most one runs per archive.")
def worker(concurrency, queues, beat):
    """Run a Celery worker (media and housekeeping queues)."""
    from archive.scheduler_lock import scheduler_running
    from workers.celery_app import celery, flask_app

    _require_schema(flask_app)
    _require_broker(celery)
    argv = ["worker", "--loglevel", "INFO", "--concurrency", str(concurrency), "-Q", queues,
            "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat and scheduler_running(flask_app.config):
        # The embedded beat would refuse to start anyway; say so once, here.
        click.echo("note: another scheduler runs for this archive; this worker runs without one", err=True)
        beat = False
    if beat:
        argv += ["--beat", "--schedule", os.path.join(flask_app.config["DATA_DIR"], "celerybeat-schedule")]
    celery.worker_main(argv)


@main.command()
def beat():
    """Run the scheduler on its own (start the workers with --no-beat); one per archive."""
    from celery.apps.beat import Beat

    from archive.scheduler_lock import hold_scheduler_lock
    from workers.celery_app import celery, flask_app

    _require_schema(flask_app)
    _require_broker(celery)
    hold_scheduler_lock(flask_app.config)  # SchedulerLockBusy: another beat runs
    Beat(app=celery, loglevel="INFO", quiet=True,
         schedule=os.path.join(flask_app.config["DATA_DIR"], "celerybeat-schedule")).run()


def _require_broker(celery) -> None:
    """Fail now, naming ORTAK_BROKER_URL, rather than retrying a broker that is not there."""
    with celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3, interval_start=1, interval_step=1, timeout=5)


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


def _table(headers: tuple[str, ...], rows: list[tuple]) -> None:
    cells = [tuple("" if v is None else str(v) for v in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    for row in (headers, *cells):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


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


@org.command("list")
def org_list():
    """Every organisation, with its country, state and number of users."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        counts = services.user_counts(s)
        _table(("id", "name", "country", "state", "users"),
               [(o.id, o.name, o.country, "active" if o.active else "disabled", counts.get(o.id, 0))
                for o in services.list_organisations(s)])


def _set_org_active(name: str, active: bool) -> None:
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        try:
            o = services.set_organisation_active(dbm.session(), name, active)
            dbm.session().commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"organisation {o.name} {'enabled' if active else 'disabled'}")


@org.command("disable")
@click.argument("name")
def org_disable(name):
    """Its users can no longer log in or use their API tokens; their sessions end. Assets stay."""
    _set_org_active(name, False)


@org.command("enable")
@click.argument("name")
def org_enable(name):
    """Undo `org disable` (users' own disabled flags stay as they are)."""
    _set_org_active(name, True)


@main.group()
def user() -> None:
    """Users."""


def _read_password(password_stdin: bool) -> str:
    if not password_stdin:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line.strip("\r\n"):
        _fail(ApiError("No password on standard input.", code="empty_password"))
    return line.rstrip("\r\n")


@user.command("create")
@click.argument("email")
@click.option("--org", "organisation", required=True)
@click.option("--role", required=True, type=click.Choice(["producer", "broadcaster", "rights_manager", "admin"]))
@click.option("--name", default=None, help="Display name other organisations see instead of the e-mail address.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, organisation, role, name, password_stdin):
    from archive import db as dbm
    from archive.accounts import services

    password = _read_password(password_stdin)
    with _app().app_context():
        try:
            u = services.create_user(dbm.session(), email, password, organisation, role, name=name)
            dbm.session().commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"user {u.email} ({u.role}) id={u.id}")


@user.command("list")
@click.option("--org", "organisation", default=None, help="Only this organisation's users.")
def user_list(organisation):
    """Users with their organisation, role and state."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        try:
            users = services.list_users(dbm.session(), organisation)
        except ApiError as exc:
            _fail(exc)
        _table(("id", "email", "name", "organisation", "role", "state", "created"),
               [(u.id, u.email, u.name or "-", u.organisation.name, u.role,
                 "active" if u.active else "disabled", _when(u.created_at)) for u in users])


def _set_user_active(email: str, active: bool) -> None:
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        try:
            u = services.get_user(s, email)
            ended, revoked = services.set_user_active(s, u, active)
            s.commit()
        except ApiError as exc:
            _fail(exc)
        if active:
            click.echo(f"user {u.email} enabled")
        else:
            click.echo(f"user {u.email} disabled; ended {ended} sessions, revoked {revoked} tokens")


@user.command("disable")
@click.argument("email")
def user_disable(email):
    """The user can no longer log in; every session ends and every API token is revoked."""
    _set_user_active(email, False)


@user.command("enable")
@click.argument("email")
def user_enable(email):
    """Let a disabled user log in again (revoked tokens stay revoked)."""
    _set_user_active(email, True)


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def user_password(email, password_stdin):
    """Reset a password; every session of the user ends and every API token is revoked."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        try:
            u = services.get_user(s, email)  # an unknown user is said before a password is asked
            ended, revoked = services.set_password(s, u, _read_password(password_stdin))
            s.commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"password of {u.email} changed; ended {ended} sessions, revoked {revoked} tokens")


@user.command("name")
@click.argument("email")
@click.argument("name")
def user_name(email, name):
    """Set the display name other organisations see (an empty NAME removes it)."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        try:
            u = services.set_user_name(s, services.get_user(s, email), name)
            s.commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"user {u.email} is shown as {u.name or 'a user of ' + u.organisation.name}")


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


@token.command("list")
@click.argument("email")
def token_list(email):
    """EMAIL's tokens: id, prefix, name, created, last used (to the minute), state."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        try:
            tokens = services.list_tokens(s, services.get_user(s, email))
        except ApiError as exc:
            _fail(exc)
        _table(("id", "prefix", "name", "created", "last used", "state"),
               [(t.id, t.prefix, t.name or "-", _when(t.created_at), _when(t.last_used_at),
                 "revoked" if t.revoked else "live") for t in tokens])


@token.command("revoke")
@click.argument("ref", metavar="ID-OR-PREFIX")
def token_revoke(ref):
    """Revoke a token by its id or its prefix, as `token list` prints them."""
    from archive import db as dbm
    from archive.accounts import services

    with _app().app_context():
        s = dbm.session()
        try:
            t = services.revoke_token(s, ref)
            s.commit()
        except ApiError as exc:
            _fail(exc)
        click.echo(f"token {t.id} ({t.prefix}) of {t.user.email} revoked")


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
    """Recover stuck work, orphaned scratch files and abandoned uploads now (the scheduler runs
    this on a timer).

    Work started but silent for ORTAK_STUCK_AFTER seconds is re-queued; work still queued
    after ORTAK_RESEND_QUEUED_AFTER seconds is sent again; see archive.ingest.recovery.
    """
    from archive import db as dbm
    from archive.ingest.recovery import sweep as sweep_all

    app = _app()
    with app.app_context():
        session = dbm.session()
        report = sweep_all(session, app.config)
        session.commit()  # the re-queued tasks leave now
    click.echo(f"re-queued {len(report.requeued)} stuck, re-sent {len(report.resent)} waiting, "
               f"gave up on {len(report.failed)}, removed {len(report.scratch_removed)} orphaned scratch folders, "
               f"aborted {report.uploads_purged} expired uploads")


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


main.add_command(coproduction)

if __name__ == "__main__":
    main()
