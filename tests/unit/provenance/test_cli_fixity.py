"""`ortak fixity check [--asset ID]`: exit 0 when every file is intact, 1 naming each changed or
missing file, 2 for an asset that is not there."""
from __future__ import annotations

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
