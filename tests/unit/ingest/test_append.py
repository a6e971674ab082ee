"""The PATCH path's promises: an offset is recorded only after its bytes are durable, the staged
file and the recorded offset are reconciled, and a disk error loses nothing acknowledged."""
import hashlib

import pytest
from sqlalchemy import event, select

from archive import db
from archive.assets.models import Asset
from archive.ingest import services, staging
from archive.ingest.models import Upload
from archive.ingest.staged_writer import StagedWriter
from tests.unit.ingest.test_staged_writer import file_size_limit

OCTETS = "application/offset+octet-stream"


def tus(token, **extra):
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", **extra}


def create(client, token, length):
    resp = client.post("/api/v1/uploads", headers=tus(token, **{"Upload-Length": str(length)}))
    assert resp.status_code == 201
    return resp.headers["Location"]


def patch(client, token, url, offset, body):
    return client.patch(url, data=body, headers=tus(token, **{"Upload-Offset": str(offset), "Content-Type": OCTETS}))


def head_offset(client, token, url) -> int:
    return int(client.head(url, headers=tus(token)).headers["Upload-Offset"])


def data_of(size: int) -> bytes:
    return bytes((i * 31) % 256 for i in range(size))


def asset_sha(app):
    with app.app_context():
        return db.session().scalar(select(Asset.sha256))


@pytest.mark.parametrize("direct", [True, False])
def test_every_recorded_offset_follows_an_fdatasync(app, client, producer, monkeypatch, direct):
    app.config["UPLOAD_DIRECT_IO"] = direct
    monkeypatch.setattr(services, "COMMIT_EVERY", 1_000_000)  # several commits inside one PATCH
    log = []
    real_sync = StagedWriter.sync

    def sync(self):
        real_sync(self)
        log.append(("durable", self.offset))

    def recorded(mapper, connection, target):
        log.append(("recorded", target.offset))

    monkeypatch.setattr(StagedWriter, "sync", sync)
    event.listen(Upload, "before_update", recorded)
    try:
        data = data_of(3_000_003)
        url = create(client, producer[1], len(data))
        assert patch(client, producer[1], url, 0, data[:2_500_001]).status_code == 204
        assert patch(client, producer[1], url, 2_500_001, data[2_500_001:]).status_code == 204
    finally:
        event.remove(Upload, "before_update", recorded)
    durable = 0
    offsets = []
    for kind, offset in log:
        if kind == "durable":
            durable = max(durable, offset)
        elif offset is not None:
            assert offset <= durable, log  # never acknowledge what is not on stable storage
            offsets.append(offset)
    assert {2_500_001, 3_000_003} < set(offsets)  # and offsets recorded inside the first PATCH
    assert len([o for o in offsets if 0 < o < 2_500_001]) >= 2
    assert asset_sha(app) == hashlib.sha256(data).hexdigest()


def test_a_staged_file_shorter_than_its_offset_resumes_from_what_is_there(app, client, producer):
    # A disk that lost acknowledged bytes (it did not keep an fdatasync promise): the gap is
    # never padded; the client is sent back to the real length and the original comes out whole.
    data = data_of(50_000)
    url = create(client, producer[1], len(data))
    assert patch(client, producer[1], url, 0, data[:30_000]).status_code == 204
    with app.app_context():
        path = staging.staged_path(url.rsplit("/", 1)[1])
    with path.open("r+b") as fh:
        fh.truncate(12_345)
    resp = patch(client, producer[1], url, 30_000, data[30_000:])
    assert resp.status_code == 409
    assert resp.get_json()["error"]["details"] == {"expected": 12_345, "got": 30_000}
    assert head_offset(client, producer[1], url) == 12_345
    assert patch(client, producer[1], url, 12_345, data[12_345:]).status_code == 204
    assert asset_sha(app) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("direct", [True, False])
def test_a_disk_error_answers_507_and_keeps_the_acknowledged_bytes(app, client, producer, direct):
    app.config["UPLOAD_DIRECT_IO"] = direct
    data = data_of(3 * 1024 * 1024)
    url = create(client, producer[1], len(data))
    assert patch(client, producer[1], url, 0, data[:100_000]).status_code == 204
    with file_size_limit(1024 * 1024):  # the kernel refuses to grow any file past 1 MiB (EFBIG)
        resp = patch(client, producer[1], url, 100_000, data[100_000:])
    assert resp.status_code == 507 and resp.get_json()["error"]["code"] == "storage_failed"
    assert head_offset(client, producer[1], url) == 100_000
    with app.app_context():
        assert staging.staged_path(url.rsplit("/", 1)[1]).stat().st_size == 100_000
    assert patch(client, producer[1], url, 100_000, data[100_000:]).status_code == 204
    assert asset_sha(app) == hashlib.sha256(data).hexdigest()
