"""Upload services through the Flask test client (no header-size limits in the way)."""
import base64
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from archive import db
from archive.accounts.models import User
from archive.assets.models import Asset
from archive.backends import storage
from archive.events.models import Event
from archive.ingest import services, staging
from archive.ingest.models import Upload


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def tus(token, **extra):
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", **extra}


def create(client, token, length=10, metadata=""):
    return client.post("/api/v1/uploads", headers=tus(token, **{"Upload-Length": str(length),
                                                               "Upload-Metadata": metadata}))


def test_long_title_is_422_and_a_header_over_the_limit_431(client, producer, app):
    resp = create(client, producer[1], metadata=f"title {b64('ş' * 20_000)}")  # 53 KB: fits the header
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_metadata" and error["details"]["errors"][0]["code"] == "too_long"
    assert resp.headers["Tus-Resumable"] == "1.0.0"
    resp = create(client, producer[1], metadata=f"title {b64('ş' * 50_000)}")  # 133 KB: over 64 KiB
    assert resp.status_code == 431
    assert resp.get_json()["error"]["code"] == "header_too_large"
    assert resp.get_json()["error"]["details"]["limit"] == app.config["MAX_HEADER_BYTES"]


def test_sql_and_html_in_metadata_are_stored_as_text(client, producer, app):
    title = "'); DROP TABLE assets; -- <script>alert(1)</script>"
    resp = create(client, producer[1], metadata=f"title {b64(title)},language {b64('tr')}")
    assert resp.status_code == 201
    with app.app_context():
        upload = db.session().scalar(select(Upload))
        assert upload.upload_metadata["meta"]["title"] == {"tr": title}


@pytest.mark.parametrize("metadata, status, code, field_codes", [
    (f"language {b64('de')},title {b64('x')}", 422, "invalid_metadata", ["invalid_choice"]),
    (f"genre {b64('opera')}", 422, "invalid_metadata", ["invalid_choice"]),
    (f"recorded {b64('1975-13')}", 422, "invalid_metadata", ["invalid_date"]),
    (f"recorded {b64('2999')}", 422, "invalid_metadata", ["date_out_of_range"]),
    (f"languages {b64('az, xx')}", 422, "invalid_metadata", ["unknown_language_code"]),
    (f"title {b64('   ')}", 422, "invalid_metadata", ["empty_title"]),
    (f"country {b64('AZ')}", 403, "admin_only_field", None),
    (f"bogus {b64('x')}", 422, "invalid_metadata", ["unknown_field"]),
    # Every mistake at once, in one answer.
    (f"bogus {b64('x')},genre {b64('opera')},recorded {b64('1700')},language {b64('de')}", 422,
     "invalid_metadata", ["invalid_choice", "unknown_field", "invalid_choice", "date_out_of_range"]),
])
def test_bad_upload_metadata(client, producer, metadata, status, code, field_codes):
    resp = create(client, producer[1], metadata=metadata)
    assert resp.status_code == status and resp.get_json()["error"]["code"] == code
    if field_codes is not None:
        assert [e["code"] for e in resp.get_json()["error"]["details"]["errors"]] == field_codes


def test_client_keys_are_accepted(client, producer, app):
    # Uppy and tus-js-client add these on their own.
    resp = create(client, producer[1], metadata=",".join(
        f"{k} {b64(v)}" for k, v in {"name": "klip.mov", "type": "video/quicktime", "filetype": "video/quicktime",
                                     "relativePath": "null"}.items()))
    assert resp.status_code == 201
    with app.app_context():
        info = db.session().scalar(select(Upload)).upload_metadata
        assert info["filename"] == "klip.mov" and info["content_type"] == "video/quicktime"


def test_admin_may_set_country(client, make_user, app):
    _, token = make_user("admin", "TR")
    assert create(client, token, metadata=f"country {b64('AZ')}").status_code == 201


def test_defer_length_is_refused(client, producer):
    resp = client.post("/api/v1/uploads", headers=tus(producer[1], **{"Upload-Defer-Length": "1"}))
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "defer_length_unsupported"


def test_expired_upload_is_410_and_purged(client, producer, app):
    url = create(client, producer[1]).headers["Location"]
    upload_id = url.rsplit("/", 1)[1]
    with app.app_context():
        s = db.session()
        s.get(Upload, upload_id).expires_at -= timedelta(days=30)
        s.commit()
    resp = client.head(url, headers=tus(producer[1]))
    assert resp.status_code == 410
    with app.app_context():
        assert services.purge_expired(db.session()) == 1
        db.session().commit()  # the caller owns the unit of work
        assert not staging.staged_path(upload_id).exists()
    assert client.head(url, headers=tus(producer[1])).status_code == 404


def test_patch_on_a_finished_upload_is_409(client, producer):
    url = create(client, producer[1], length=3).headers["Location"]
    h = tus(producer[1], **{"Content-Type": "application/offset+octet-stream"})
    assert client.patch(url, data=b"abc", headers={**h, "Upload-Offset": "0"}).status_code == 204
    resp = client.patch(url, data=b"d", headers={**h, "Upload-Offset": "3"})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "upload_finished"
    resp = client.delete(url, headers=tus(producer[1]))
    assert resp.status_code == 409


def test_stray_bytes_past_the_offset_are_dropped(client, producer, app):
    # A server killed mid-PATCH can leave bytes the database never acknowledged.
    url = create(client, producer[1], length=6).headers["Location"]
    with app.app_context():
        staging.staged_path(url.rsplit("/", 1)[1]).write_bytes(b"XXXX")
    h = tus(producer[1], **{"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
    assert client.patch(url, data=b"abcdef", headers=h).status_code == 204
    with app.app_context():
        asset = db.session().scalar(select(Asset))
        assert asset.sha256 == hashlib.sha256(b"abcdef").hexdigest()


def _stage(app, data: bytes, name="x"):
    path = staging.upload_dir() / name
    path.write_bytes(data)
    return path


def test_register_original_dedupes(app, producer):
    with app.app_context():
        s = db.session()
        user = s.get(User, producer[0])
        data = b"recording"
        sha = hashlib.sha256(data).hexdigest()
        reg = services.register_original(s, staged=_stage(app, data, "a"), sha256=sha, size=len(data),
                                         filename="a.wav", meta={"genre": "music"}, uploader=user)
        s.commit()
        first = reg.asset
        assert reg.created and reg.holding is None and first.content_type == "audio/x-wav" and first.country == "TR"
        again = services.register_original(s, staged=_stage(app, data, "b"), sha256=sha, size=len(data),
                                           filename="b.wav", meta={}, uploader=user)
        s.commit()
        assert not again.created and again.asset.id == first.id and again.holding == services.OWN_ASSET
        assert not (staging.upload_dir() / "b").exists()
        assert s.scalar(select(func.count()).select_from(Event).where(Event.action == "asset.created")) == 1
        assert b"".join(storage().open_range(first.original_key)) == data


def test_register_original_reuses_an_orphaned_blob(app, producer):
    # A blob stored by an attempt whose commit failed is the same bytes by its key.
    with app.app_context():
        s = db.session()
        data = b"orphan"
        sha = hashlib.sha256(data).hexdigest()
        storage().put_file(services.original_key(sha), str(_stage(app, data, "o1")), move=True)
        reg = services.register_original(s, staged=_stage(app, data, "o2"), sha256=sha, size=len(data),
                                         filename="o.bin", meta={}, uploader=s.get(User, producer[0]))
        s.commit()
        asset = reg.asset
        assert reg.created and not (staging.upload_dir() / "o2").exists()
        assert b"".join(storage().open_range(asset.original_key)) == data


@pytest.mark.parametrize("hint, expected", [
    ("video/quicktime", "video/quicktime"),
    ("Video/MP4", "video/mp4"),
    ("text/html\r\nSet-Cookie: x=1", "application/octet-stream"),
    ("video/mp4; charset=x", "application/octet-stream"),
    (None, "application/octet-stream"),
])
def test_content_type_hint_is_only_a_plain_media_type(hint, expected):
    assert services.guess_content_type("no-extension", hint) == expected
    assert services.guess_content_type("film.mp4", hint) == "video/mp4"


def test_register_original_loses_a_race_gracefully(app, producer, monkeypatch):
    # Another process commits the same bytes between our lookup and our insert.
    with app.app_context():
        s = db.session()
        user = s.get(User, producer[0])
        data = b"raced"
        sha = hashlib.sha256(data).hexdigest()
        winner = services.register_original(s, staged=_stage(app, data, "w"), sha256=sha, size=len(data),
                                            filename="w.bin", meta={}, uploader=user).asset
        s.commit()
        real = services.find_by_sha256
        calls = []

        def blind_once(session, digest):
            calls.append(digest)
            return None if len(calls) == 1 else real(session, digest)

        monkeypatch.setattr(services, "find_by_sha256", blind_once)
        loser = services.register_original(s, staged=_stage(app, data, "l"), sha256=sha, size=len(data),
                                           filename="l.bin", meta={}, uploader=user)
        s.commit()
        assert not loser.created and loser.asset.id == winner.id and loser.holding == services.OWN_ASSET
        assert s.scalar(select(func.count()).select_from(Asset)) == 1
        assert not (staging.upload_dir() / "l").exists()


def test_an_upload_asset_that_loses_a_race_is_removed_for_the_winner(app, client, producer, monkeypatch):
    """The same race with a tus upload's `uploading` asset: the rollback puts it back as it was
    committed, then it is removed in favour of the winner and its upload links the winner."""
    data = b"raced upload"
    url = create(client, producer[1], length=len(data), metadata=f"filename {b64('r.bin')}").headers["Location"]
    upload_id = url.rsplit("/", 1)[1]
    with app.app_context():
        s = db.session()
        user = s.get(User, producer[0])
        sha = hashlib.sha256(data).hexdigest()
        winner = services.register_original(s, staged=_stage(app, data, "w"), sha256=sha, size=len(data),
                                            filename="w.bin", meta={}, uploader=user).asset
        s.commit()
        placeholder = s.get(Upload, upload_id).placeholder_id
        real, calls = services.find_by_sha256, []
        monkeypatch.setattr(services, "find_by_sha256",
                            lambda session, digest: calls.append(digest) or (None if len(calls) == 1
                                                                             else real(session, digest)))
    resp = client.patch(url, data=data, headers=tus(producer[1], **{
        "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}))
    assert resp.status_code == 204 and resp.headers["Ortak-Duplicate-Of"] == winner.id
    with app.app_context():
        s = db.session()
        assert len(calls) == 2  # the lookup missed it, the insert found it
        assert s.get(Asset, placeholder) is None and s.scalar(select(func.count()).select_from(Asset)) == 1
        upload = s.get(Upload, upload_id)
        assert (upload.status, upload.asset_id, upload.holding) == ("duplicate", winner.id, services.OWN_ASSET)
        removed = s.scalar(select(Event).where(Event.subject_id == placeholder, Event.action == "asset.upload_removed"))
        assert removed.after == {"reason": "duplicate", "duplicate_of": winner.id}
