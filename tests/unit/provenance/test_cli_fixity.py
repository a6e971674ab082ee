"""`ortak fixity check [--asset ID]`: exit 0 when every file is intact, 1 naming each changed or
missing file, 2 for an asset that is not there."""
from __future__ import annotations

import os
import subprocess
import sys

from archive import db
from archive.backends import storage
from archive.provenance import fixity
from tests.asset_factory import create_asset


def test_fixity_check_names_what_failed(app, make_user, ortak_cli):
    uid, _ = make_user("producer", "TR")
    good = create_asset(app, uid, b"good bytes\n" * 100,
                        renditions={"proxy": {"data": b"proxy" * 100, "ext": ".mp4"}})
    bad = create_asset(app, uid, b"bad bytes\n" * 100)
    r = ortak_cli("fixity", "check")
    assert r.exit_code == 0, r.output
    assert "3 of 3 files checked" in r.output and "3 pass, 0 fail, 0 missing" in r.output

    with app.app_context():
        key = next(f.blob_key for f in fixity.stored_files(db.session(), bad))
        path = storage().local_path(key)
    with open(path, "r+b") as fh:
        fh.write(b"B")
    r = ortak_cli("fixity", "check")
    assert r.exit_code == 1
    assert f"FAIL asset {bad} original ({key})" in r.stderr
    assert "1 fail" in r.output

    r = ortak_cli("fixity", "check", "--asset", good)
    assert r.exit_code == 0 and "2 of 2 files checked" in r.output

    r = ortak_cli("fixity", "check", "--asset", "not-an-asset")
    assert r.exit_code == 2 and "No asset" in r.stderr


def _missing_original(app, uid) -> tuple[str, str]:
    asset_id = create_asset(app, uid, b"gone bytes\n" * 100)
    with app.app_context():
        key = next(f.blob_key for f in fixity.stored_files(db.session(), asset_id))
        os.remove(storage().local_path(key))
    return asset_id, key


def test_a_missing_file_is_named_once_with_its_key_once(app, make_user, ortak_cli):
    uid, _ = make_user("producer", "TR")
    asset_id, key = _missing_original(app, uid)
    r = ortak_cli("fixity", "check", "--asset", asset_id)
    assert r.exit_code == 1
    lines = [line for line in r.stderr.splitlines() if asset_id in line]
    assert lines == [f"MISSING asset {asset_id} original ({key}): storage has no such blob"], r.stderr


def test_the_terminal_shows_each_failure_once(app, app_config, make_user):
    """As a real process, logging configured as for any command (JSON records on stderr): the
    failure's log record is not printed beside the command's own line."""
    uid, _ = make_user("producer", "TR")
    asset_id, key = _missing_original(app, uid)
    env = {**os.environ, "ORTAK_DATA_DIR": app_config["DATA_DIR"], "ORTAK_DATABASE_URL": app_config["DATABASE_URL"],
           "ORTAK_LOG_FORMAT": "json", "ORTAK_LOG_LEVEL": "INFO"}
    result = subprocess.run([sys.executable, "-m", "archive.cli", "fixity", "check", "--asset", asset_id], env=env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stderr
    naming = [line for line in result.stderr.splitlines() if key in line]
    assert naming == [f"MISSING asset {asset_id} original ({key}): storage has no such blob"], result.stderr
