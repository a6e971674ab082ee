"""`ortak audit verify`: exit 0 on an intact usage log, 1 naming the first bad record."""
from __future__ import annotations

import pytest
from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.usage.services import record_usage
from tests.asset_factory import create_asset
from tests.usage_tamper import tamper


@pytest.fixture
def audit(ortak_cli):
    # The command builds its own app from the environment, as it does for a user.
    return lambda: ortak_cli("audit", "verify")


def _records(app, user_id, n=3):
    asset_id = create_asset(app, user_id)
    with app.app_context():
        s = db.session()
        ids = []
        for _ in range(n):
            ids.append(record_usage(s, s.get(User, user_id), s.get(Asset, asset_id), "download", "original").id)
            s.commit()
    return ids


def test_intact_log_exits_0(app, producer, audit):
    _records(app, producer[0])
    r = audit()
    assert r.exit_code == 0, r.output
    assert "intact" in r.output


def test_empty_log_exits_0(app, audit):
    assert audit().exit_code == 0


def test_tampered_log_exits_1_naming_the_record(app, producer, audit):
    ids = _records(app, producer[0])
    tamper(app, ("UPDATE usage_records SET action = 'clip' WHERE id = :id", {"id": ids[1]}))
    r = audit()
    assert r.exit_code == 1
    assert f"record {ids[1]}" in r.output


def test_checkpoint_key_and_verify_name_a_missing_tail(app, producer, ortak_cli):
    ids = _records(app, producer[0], n=4)
    r = ortak_cli("audit", "checkpoint")
    assert r.exit_code == 0, r.output
    assert "4 records" in r.output and "checkpoints/usage/" in r.output
    key = ortak_cli("audit", "key")
    assert key.exit_code == 0 and key.output.startswith("ed25519:")
    ok = ortak_cli("audit", "verify", "--public-key", key.output.strip())
    assert ok.exit_code == 0, ok.output
    assert "4 records, 1 signed checkpoint(s) hold" in ok.output
    tamper(app, ("DELETE FROM usage_records WHERE id = :id", {"id": ids[-1]}))
    r = ortak_cli("audit", "verify")
    assert r.exit_code == 1
    assert "missing its tail" in r.output and f"record {ids[-1]}" in r.output


def test_verify_with_a_malformed_public_key_is_a_usage_error(app, ortak_cli):
    for bad in ("", "ed25519:", "ed25519:!!!", "rsa:AAAA", "ed25519:" + "A" * 4000):
        r = ortak_cli("audit", "verify", "--public-key", bad)
        assert r.exit_code == 2, (bad, r.output)
        assert "--public-key" in r.output


def test_verify_with_another_public_key_exits_1(app, producer, ortak_cli):
    import base64

    _records(app, producer[0], n=2)
    assert ortak_cli("audit", "checkpoint").exit_code == 0
    other = "ed25519:" + base64.b64encode(bytes(32)).decode()
    r = ortak_cli("audit", "verify", "--public-key", other)
    assert r.exit_code == 1 and "does not hold" in r.output


def test_verify_shows_a_progress_bar_on_a_terminal_only(app, producer, app_config, tmp_path):
    """On a terminal (a pseudo-terminal made by `script`) tqdm draws the bar on stderr; piped, nothing but the verdict."""
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if shutil.which("script") is None:
        pytest.skip("util-linux `script` is not installed")
    _records(app, producer[0], n=5)
    ortak = str(Path(sys.executable).parent / "ortak")
    env = {**os.environ, "ORTAK_DATA_DIR": app_config["DATA_DIR"], "ORTAK_DATABASE_URL": app_config["DATABASE_URL"],
           "ORTAK_LOG_LEVEL": "WARNING", "TERM": "xterm"}
    # `script`'s terminal has no size when the test has none: give it one, as a real terminal has.
    tty = subprocess.run(["script", "-qec", f"stty cols 100 rows 30; {ortak} audit verify", "/dev/null"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert tty.returncode == 0, tty.stdout
    assert "verify: 100%" in tty.stdout and "5/5" in tty.stdout and "usage log intact" in tty.stdout
    piped = subprocess.run([ortak, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == "" and "verify:" not in piped.stdout
