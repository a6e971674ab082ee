"""The `ortak` command. Each command builds the app with create_app() and calls a service.

Failures an operator can fix (configuration, a database without its schema, an unreachable
database, store, search engine or broker) end any command with one line and exit status 2:
the group's class, `archive.cli_errors.OrtakGroup`, does that for every command.
"""
from __future__ import annotations

import os
import sys

import click

from archive.cli_accounts import org, token, user
from archive.cli_coproduction import coproduction
from archive.cli_provenance import fixity
from archive.cli_errors import CommandError, OrtakGroup
from archive.cli_support import make_app, require_schema, table, unit_of_work
from archive.supervisor import DEFAULT_GRACE, supervise
from archive.task_handles import QUEUES


@click.group(cls=OrtakGroup)
def main() -> None:
    """Ortak: the media-asset exchange and co-production archive."""


@main.command()
@click.option("--host", default=None, help="Bind address (ORTAK_HOST).")
@click.option("--port", default=None, type=int, help="Port (ORTAK_PORT).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="gunicorn worker processes (default 2, or 1 while the login throttle counts in memory).")
def serve(host, port, workers):
    """Run the web service (gunicorn, configured by archive.gunicorn_conf)."""
    app = make_app()
    in_memory = app.config["RATELIMIT_STORAGE_URL"].startswith("memory://")
    if workers is None:
        workers = 1 if in_memory else 2  # each process would count failed logins on its own
    elif workers > 1 and in_memory:
        raise CommandError("several worker processes need shared throttle counters: set "
                           "ORTAK_RATELIMIT_STORAGE_URL=redis://... (or a Redis broker), or run one worker")
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

    require_schema()  # before the worker's app is made on import (it writes into the data folder)
    from workers.celery_app import celery, flask_app

    _require_broker(celery, flask_app.config)
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
@click.option("--host", default=None, help="Bind address of the web service (ORTAK_HOST).")
@click.option("--port", default=None, type=int, help="Port of the web service (ORTAK_PORT).")
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="gunicorn worker processes (as `serve`).")
@click.option("--concurrency", default=2, show_default=True, help="Celery worker processes (as `worker`).")
@click.option("--grace", default=DEFAULT_GRACE, show_default=True, type=click.FloatRange(0, 3600),
              help="Seconds the two get to stop after SIGTERM or SIGINT before they are killed.")
def run(host, port, workers, concurrency, grace):
    """Run the web service and a worker (with the scheduler) as two child processes, until
    SIGTERM or SIGINT (sent on to both) or until one of them ends; then stop both.

    Exit 0 after a stop asked by a signal; not 0 when a process had to be killed after the
    grace period or ended unasked (see archive.supervisor)."""
    require_schema()  # one clear line now rather than two children failing apart
    me = [sys.executable, "-m", "archive.cli"]
    web = me + ["serve"] + (["--host", host] if host else []) + (["--port", str(port)] if port else []) \
        + (["--workers", str(workers)] if workers else [])
    sys.exit(supervise([("web", web), ("worker", me + ["worker", "--concurrency", str(concurrency)])], grace=grace))


@main.command()
def beat():
    """Run the scheduler on its own (start the workers with --no-beat); one per archive."""
    from celery.apps.beat import Beat

    from archive.scheduler_lock import hold_scheduler_lock

    require_schema()  # before the worker's app is made on import (it writes into the data folder)
    from workers.celery_app import celery, flask_app

    _require_broker(celery, flask_app.config)
    hold_scheduler_lock(flask_app.config)  # SchedulerLockBusy: another beat runs
    Beat(app=celery, loglevel="INFO", quiet=True,
         schedule=os.path.join(flask_app.config["DATA_DIR"], "celerybeat-schedule")).run()


def _require_broker(celery, config) -> None:
    """Fail now, naming ORTAK_BROKER_URL, rather than retrying a broker that is not there (after
    BROKER_CONNECT_RETRIES more attempts, 1 s apart then 1 s longer each; 5 s for each)."""
    with celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=int(config["BROKER_CONNECT_RETRIES"]), interval_start=1,
                               interval_step=1, timeout=5)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply the Alembic migrations."""
    from archive.migrate import upgrade

    app = make_app(check_schema=False)
    upgrade(app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


# `ortak import --metadata`: the file's layout (archive.ingest.bulk.load_metadata reads it;
# README "Importing with metadata" and docs/api.md "Commands" say the same).
METADATA_FILE_HELP = (
    "CSV or JSON describing the files, one row (object) per file, matched by its bare file name "
    "(column 'filename'). Columns: title and description (in the language of the 'language' column: "
    "tr, az or en, default en) or title_tr|az|en and description_tr|az|en; genre, recorded, "
    "keywords, people, places, languages (lists separated by commas, or by ';' when a name holds a "
    "comma), organisation and country (admins). JSON: a list of objects with the same keys, or with "
    "title/description as {\"tr\": ...} objects and lists as JSON arrays.")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--metadata", "metadata_file", type=click.Path(), default=None,
              help=METADATA_FILE_HELP)
@click.option("--as", "as_user", required=True, help="E-mail of the producer the files are imported for.")
def import_(paths, metadata_file, as_user):
    """Bulk ingest files with a progress bar."""
    from archive.ingest.bulk import run_import

    with make_app().app_context():  # each file is its own unit of work (run_import commits per file)
        code = run_import(list(paths), metadata_file, as_user)
    sys.exit(code)


@main.command()
@click.option("--jobs", type=click.IntRange(min=1, max=256), default=None,
              help="Processes that analyse the text (tantivy; default 1: this one).")
def reindex(jobs):
    """Rebuild the search index from the database, with a progress bar."""
    from archive.backends import search_backend
    from archive.indexing import reindex_all

    with unit_of_work() as s:
        n = reindex_all(s, search_backend(), progress=True, jobs=jobs)
    click.echo(f"indexed {n} assets")


@main.command()
def sweep():
    """Recover stuck work, orphaned scratch files and abandoned uploads now (the scheduler runs
    this on a timer).

    Work started but silent for ORTAK_STUCK_AFTER seconds is re-queued; work still queued
    after ORTAK_RESEND_QUEUED_AFTER seconds is sent again; see archive.ingest.recovery.
    """
    from archive.ingest.recovery import sweep as sweep_all

    app = make_app()
    with unit_of_work(app) as session:  # the re-queued tasks leave at its commit
        report = sweep_all(session, app.config)
    click.echo(f"re-queued {len(report.requeued)} stuck, re-sent {len(report.resent)} waiting, "
               f"gave up on {len(report.failed)}, removed {len(report.scratch_removed)} orphaned scratch folders, "
               f"aborted {report.uploads_purged} expired uploads")


@main.group()
def steps() -> None:
    """The processing steps of assets (probe, renditions, credentials, index)."""


@steps.command("show")
@click.argument("asset_id")
def steps_show(asset_id):
    """How each step of an asset last ended: status, time, error."""
    from archive.assets.services import get_asset
    from archive.ingest.steps import STEPS

    with unit_of_work() as s:
        asset = get_asset(s, asset_id)
        recorded = asset.steps or {}
        table(("step", "status", "at", "error"),
               [(step.name, (recorded.get(step.name) or {}).get("status") or "-",
                 (recorded.get(step.name) or {}).get("at") or "-",
                 (recorded.get(step.name) or {}).get("error") or "") for step in STEPS])


@steps.command("run")
@click.argument("step")
@click.argument("asset_ids", nargs=-1)
@click.option("--all", "all_ready", is_flag=True, help="Every ready asset of the archive.")
@click.option("--force", is_flag=True, help="Run it even where it is done with the same inputs.")
@click.option("--queue", is_flag=True, help="Send the work to the workers instead of running it here "
                                            "(not with --force).")
def steps_run(step, asset_ids, all_ready, force, queue):
    """Run STEP (probe, renditions, credentials or index) again for ready assets: what changed is made again, what did not is left alone
    (after a profile change, `ortak steps run renditions --all` re-makes only the renditions of
    that profile). Exit 1 when a step failed for any asset.
    """
    from archive import db as dbm
    from archive.ingest.pipeline import ready_asset_ids, run_one_step
    from archive.ingest.steps import BY_NAME
    from archive.task_handles import RUN_STEP

    if step not in BY_NAME:
        raise click.UsageError(f"no step {step!r} (one of {', '.join(BY_NAME)})")
    if bool(asset_ids) == all_ready:
        raise click.UsageError("give asset ids or --all (not both)")
    if queue and force:
        raise click.UsageError("--force runs here only")
    outcomes: dict[str, int] = {}
    with make_app().app_context():  # each asset is its own unit of work
        session = dbm.session()
        ids = ready_asset_ids(session) if all_ready else iter(asset_ids)
        for asset_id in ids:
            if queue:
                RUN_STEP.send(session, asset_id, step)
                session.commit()
                outcome = "queued"
            else:
                outcome = run_one_step(asset_id, step, force=force)
                session.commit()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if not all_ready:
                click.echo(f"{asset_id}: {outcome}{_why_not_run(session, asset_id, outcome)}")
    click.echo(", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "no ready assets")
    sys.exit(1 if outcomes.get("failed") else 0)


def _why_not_run(session, asset_id: str, outcome: str) -> str:
    """Why `ortak steps run` left an asset alone: ' (reason)' for 'skipped' and 'missing', else ''."""
    from archive.assets.models import Asset

    if outcome == "missing":
        return " (no asset has this id)"
    if outcome != "skipped":
        return ""
    asset = session.get(Asset, asset_id)
    if asset is None:
        return " (no asset has this id)"
    why = {"processing": "it is still being processed: the ingest runs every step",
           "rejected": "it was rejected",
           "failed": "its processing failed"}.get(
        asset.status, f"it is {asset.status}")
    reason = f": {asset.error}" if asset.error and asset.status in ("rejected", "failed") else ""
    return f" (steps run again on ready assets only; {why}{reason})"


@main.group()
def audit() -> None:
    """The usage log."""


@audit.command("verify")
@click.option("--public-key", default=None, metavar="ed25519:BASE64",
              help="Verify the checkpoints with this public key (as `ortak audit key` prints it) "
                   "instead of the configured key file's.")
def audit_verify(public_key):
    """Check the usage log: its hash chain, and every signed checkpoint (a missing tail, a
    rewritten history, a forged checkpoint). Exit 0 when intact, 1 naming the first bad record.
    Streams the log in constant memory; a progress bar on a terminal."""
    from tqdm import tqdm

    from archive.backends import storage
    from archive.usage import checkpoints, signing

    app = make_app()
    if public_key is not None:
        try:
            key = signing.parse_public_key(public_key)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--public-key") from None
    else:
        key = checkpoints.public_key_of(app.config)
    with unit_of_work(app) as s:
        total = checkpoints.count_records(s)
        with tqdm(total=total, unit="record", desc="verify", file=sys.stderr, disable=not sys.stderr.isatty(),
                  mininterval=0.5) as bar:
            problems, walked, signed = checkpoints.verify_log(s, storage(), key, progress=bar.update)
    if not problems:
        click.echo(f"usage log intact: {walked} records, {signed} signed checkpoint(s) hold")
        sys.exit(0)
    for problem in problems:
        click.echo(problem.message, err=True)
    sys.exit(1)


@audit.command("checkpoint")
def audit_checkpoint():
    """Sign the usage log's head (count, hash, time) with the audit key and store it under
    checkpoints/usage/ in blob storage (and the service's log). The scheduler does it every
    ORTAK_AUDIT_CHECKPOINT_SECONDS."""
    from archive.backends import storage
    from archive.usage import checkpoints

    app = make_app()
    with unit_of_work(app) as s:
        cp = checkpoints.checkpoint_now(s, storage(), app.config)
    click.echo(f"checkpoint {cp.key}: {cp.count} records, head {cp.head}, signed by key {cp.key_id}")


@audit.command("key")
def audit_key():
    """Print the public key that verifies the usage log's checkpoints (the key is made on first
    use); keep it somewhere the archive's operators cannot change."""
    from archive.usage import checkpoints, signing

    key = checkpoints.public_key_of(make_app().config)
    click.echo(signing.public_key_text(key))


@main.command()
@click.option("--email", default="admin@ortak.local", show_default=True)
def bootstrap(email):
    """First run: migrate, and create an admin (printing its password) when there are no users."""
    import secrets

    from sqlalchemy import func, select

    from archive.accounts import services
    from archive.accounts.models import Organisation, User
    from archive.migrate import upgrade

    app = make_app(check_schema=False)
    upgrade(app.config["DATABASE_URL"], "head")
    password = None
    with unit_of_work(app) as s:
        if not s.scalar(select(func.count()).select_from(User)):
            if not s.scalar(select(Organisation).where(Organisation.name == "Ortak")):
                services.create_organisation(s, "Ortak", "TR")
            password = secrets.token_urlsafe(12)
            services.create_user(s, email, password, "Ortak", "admin")
    if password is None:
        click.echo("users exist already; log in with your account")
        return
    pw_file = os.path.join(app.config["DATA_DIR"], "admin-password.txt")
    with open(os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
        fh.write(f"{email}\n{password}\n")
    click.echo(f"created admin {email} with password {password} (also in {pw_file})")


for group in (org, user, token, coproduction, fixity):
    main.add_command(group)

if __name__ == "__main__":
    main()
