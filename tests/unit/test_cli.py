"""The `ortak` console script, driven through click with the environment a user would set."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from tests.broker import clear, queued


@pytest.fixture
def ortak(ortak_cli):
    return ortak_cli


def test_org_user_token(ortak):
    r = ortak("org", "create", "İctimai TV", "--country", "AZ")
    assert r.exit_code == 0, r.output
    r = ortak("user", "create", "rauf@example.az", "--org", "İctimai TV", "--role", "broadcaster",
              "--password-stdin", input="çok gizli parola\n")
    assert r.exit_code == 0, r.output
    r = ortak("token", "create", "rauf@example.az")
    assert r.exit_code == 0 and r.output.strip().startswith("ortak_")


def test_token_works_against_the_api(ortak, app):
    ortak("org", "create", "TRT", "--country", "TR")
    ortak("user", "create", "a@example.org", "--org", "TRT", "--role", "producer", "--password-stdin",
          input="çok gizli parola\n")
    token = ortak("token", "create", "a@example.org").output.strip()
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.get_json()["email"] == "a@example.org"
    resp = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer ortak_forged"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("args, input, needle", [
    (("org", "create", "X", "--country", "US"), None, "Invalid value"),
    (("org", "create", "", "--country", "TR"), None, "invalid_name"),
    (("user", "create", "a@example.org", "--org", "Nowhere", "--role", "producer", "--password-stdin"),
     "çok gizli parola\n", "organisation_not_found"),
    (("user", "create", "a@example.org", "--org", "TRT", "--role", "root", "--password-stdin"),
     "çok gizli parola\n", "Invalid value"),
    (("user", "create", "a@example.org", "--org", "TRT", "--role", "producer", "--password-stdin"),
     "kısa\n", "weak_password"),
    (("user", "create", "../../etc/passwd", "--org", "TRT", "--role", "producer", "--password-stdin"),
     "çok gizli parola\n", "invalid_email"),
    (("token", "create", "ghost@example.org"), None, "user_not_found"),
])
def test_bad_input_is_refused_with_a_reason(ortak, args, input, needle):
    ortak("org", "create", "TRT", "--country", "TR")
    r = ortak(*args, input=input)
    assert r.exit_code == 2
    assert needle in r.output


def test_bootstrap_creates_one_admin(ortak, app_config):
    from pathlib import Path

    r = ortak("bootstrap")
    assert r.exit_code == 0 and "created admin" in r.output
    pw = Path(app_config["DATA_DIR"], "admin-password.txt")
    assert pw.stat().st_mode & 0o777 == 0o600
    r = ortak("bootstrap")
    assert "users exist already" in r.output


def test_sweep_recovers_now_and_commits(ortak, app, register_file, sample_image):
    """`ortak sweep` is the scheduler's sweep run at once: it commits, and what it re-queues is sent."""
    asset_id = register_file(sample_image)
    clear(app)
    old = utcnow() - timedelta(seconds=app.config["STUCK_AFTER"] + 60)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == asset_id)
                  .values(updated_at=old, created_at=old, processing_started_at=old))
        s.commit()
    r = ortak("sweep")
    assert r.exit_code == 0, r.output
    assert r.output.strip() == ("re-queued 1 stuck, re-sent 0 waiting, gave up on 0, "
                                "removed 0 orphaned scratch folders, aborted 0 expired uploads")
    assert queued(app, "media") == [("workers.tasks.ingest", (asset_id,))]
    with app.app_context():
        assert db.session().get(Asset, asset_id).attempts == 1
