"""`ortak fixity check [--asset ID]`: re-hash stored files now, with a progress bar in bytes.

Each check is committed as it is made (a run stopped half-way keeps what it found); the
notification check `fixity` then tells the admins of what failed. Exit status 0 when every
file passed, 1 when one failed or was missing (each named on stderr), 2 for an operator's
error (unknown asset, storage that does not answer: `archive.cli_errors`)."""
from __future__ import annotations

import contextlib
import getpass
import logging
import socket
import sys
from typing import Iterator

import click

from archive.cli_errors import CommandError
from archive.cli_support import make_app, unit_of_work


@click.group()
def fixity() -> None:
    """Fixity: re-hash stored originals and renditions against their recorded SHA-256."""


@fixity.command("check")
@click.option("--asset", "asset_id", default=None, help="Only this asset's original and rendition files.")
@click.option("--rate", default=0, type=click.IntRange(0), show_default=True,
              help="Read at most this many bytes per second (0: as fast as storage answers).")
def fixity_check(asset_id, rate):
    """Check every stored file (or one asset's) now; exit 1 if any failed or was missing."""
    from tqdm import tqdm

    from archive.assets.services import get_asset
    from archive.backends import storage
    from archive.errors import NotFound
    from archive.notifications import checks
    from archive.provenance import fixity as service

    app = make_app()
    agent = f"ortak-cli:{getpass.getuser()}@{socket.gethostname()}"
    with unit_of_work(app) as s:
        if asset_id is not None:
            try:
                get_asset(s, asset_id)
            except NotFound as exc:
                raise CommandError(str(exc)) from None
        files, total = service.totals(s, asset_id)
        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc="fixity", file=sys.stderr,
                  disable=not sys.stderr.isatty(), mininterval=0.5) as bar, _failures_off_stderr():
            result = service.check_all(s, storage(), agent, asset_id=asset_id, rate=rate, on_bytes=bar.update)
        if result.failures:
            checks.run_checks(s, app.config, names=["fixity"])
        for row in result.failures:
            label = "original" if row.kind == "original" else f"{row.rendition}/{row.path}"
            click.echo(f"{row.outcome.upper()} asset {row.asset_id} {label} ({row.blob_key}): {row.detail}", err=True)
        counts = ", ".join(f"{n} {k}" for k, n in result.counts.items())
        click.echo(f"fixity: {result.checked} of {files} files checked, {result.bytes} bytes read: {counts}")
    sys.exit(1 if result.failures else 0)


@contextlib.contextmanager
def _failures_off_stderr() -> Iterator[None]:
    """While the command runs, the log handlers writing to this process's stderr skip the
    fixity failures' records (`fixity.FAILURE_RECORD`): the command names each failure there
    once, as a plain line. Other handlers (a file, syslog an operator configured) still get
    them, and each failure stays in the fixity_checks table and the admins' notification."""
    from archive.provenance.fixity import FAILURE_RECORD

    def keep(record: logging.LogRecord) -> bool:
        return not hasattr(record, FAILURE_RECORD)

    streams = {id(sys.stderr), id(sys.__stderr__)}
    handlers = [h for h in logging.getLogger().handlers
                if isinstance(h, logging.StreamHandler) and id(getattr(h, "stream", None)) in streams]
    for h in handlers:
        h.addFilter(keep)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(keep)
