"""An upload is an asset from its first request: `POST /api/v1/uploads` makes it `uploading`,
findable by its Upload-Metadata title by its own organisation (not by others until ready), with
its progress on `GET /api/v1/assets/{id}`; the last byte makes the same row `processing`; a
duplicate, a termination or expiry removes it; nothing that needs its original takes it."""
from __future__ import annotations

import base64
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import db
from archive.assets.models import Asset
from archive.db import utcnow
from archive.events.models import Event
from archive.ingest.models import Upload
from tests.coproduction_fixtures import coprod, sides  # noqa: F401  (fixtures)

UPLOADS = "/api/v1/uploads"
TITLE = "Şuşa xatirələri"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def people(make_user):
    made = {"producer": make_user("producer", "AZ", org="AzTV"), "colleague": make_user("broadcaster", "AZ", org="AzTV"),
            "trt": make_user("broadcaster", "TR", org="TRT"), "trt_producer": make_user("producer", "TR", org="TRT"),
            "admin": make_user("admin", "TR", org="TRT")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


def tus(who: dict, **extra) -> dict:
    return {**who["h"], "Tus-Resumable": "1.0.0", **extra}


def create(client, who, length: int, *, title: str | None = TITLE, filename: str = "susa.mp4"):
    meta = f"filename {b64(filename)}"
    if title:
        meta += f",title {b64(title)},language {b64('az')}"
    resp = client.post(UPLOADS, headers=tus(who, **{"Upload-Length": str(length), "Upload-Metadata": meta}))
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp


def patch(client, who, location: str, offset: int, body: bytes):
    return client.patch(location, data=body, headers=tus(
        who, **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}))


def search_ids(client, who, q: str = "şuşa", **facets) -> set[str]:
    doc = client.get("/api/v1/search", query_string={"q": q, "per_page": 50, **facets}, headers=who["h"]).get_json()
    return {h["id"] for h in doc["hits"]}


def wait_until(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def run_index_tasks(app, sent) -> None:
    """Run the index tasks sent so far, as the worker would (`archive.task_entry_points.index_asset`)."""
    from archive import task_entry_points

    with app.app_context():
        for name, ids in list(sent):
            if name == "workers.tasks.index_asset":
                task_entry_points.index_asset(*ids)
                db.session().commit()
    sent.clear()


# ---- the whole way, through a real worker --------------------------------------------------

def test_an_upload_is_findable_from_its_creation_and_becomes_the_asset(app, client, people, sample_video,
                                                                     start_worker, wait_for_status):
    worker = start_worker()
    data = sample_video.read_bytes()
    resp = create(client, people["producer"], len(data))
    asset_id = resp.headers["Ortak-Asset-Id"]
    assert resp.headers["Ortak-Upload-Status"] == "open"
    assert resp.headers["Link"] == f'</api/v1/assets/{asset_id}>; rel="asset"'
    location = resp.headers["Location"]
    upload_id = location.rsplit("/", 1)[1]
    assert client.get(location, headers=people["producer"]["h"]).get_json()["asset_id"] == asset_id
    assert client.head(location, headers=tus(people["producer"])).headers["Ortak-Asset-Id"] == asset_id

    # Found by its title by a colleague of the same organisation (the worker indexed it), as uploading.
    assert wait_until(lambda: asset_id in search_ids(client, people["colleague"], status="uploading")), \
        worker.log()[-3000:]
    assert asset_id in search_ids(client, people["admin"])
    assert asset_id not in search_ids(client, people["trt"])
    assert client.get(f"/api/v1/assets/{asset_id}", headers=people["trt"]["h"]).status_code == 404

    doc = client.get(f"/api/v1/assets/{asset_id}", headers=people["colleague"]["h"]).get_json()
    assert (doc["status"], doc["title"], doc["size"], doc["sha256"]) == ("uploading", TITLE, len(data), None)
    assert doc["metadata"]["organisation"] == "AzTV" and doc["metadata"]["country"] == "AZ"
    assert doc["upload"] == {"id": upload_id, "offset": 0, "length": len(data), "progress": 0.0,
                             "expires_at": doc["upload"]["expires_at"]}
    mine = client.get("/api/v1/me/uploads", headers=people["producer"]["h"])
    if mine.status_code == 200:
        assert asset_id in {i["id"] for i in mine.get_json()["items"]}

    half = len(data) // 2
    assert patch(client, people["producer"], location, 0, data[:half]).status_code == 204
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=people["colleague"]["h"]).get_json()
    assert doc["status"] == "uploading" and doc["upload"]["offset"] == half
    assert doc["upload"]["progress"] == round(half / len(data), 4)

    # A title fixed mid-upload is kept by the finished asset.
    r = client.patch(f"/api/v1/assets/{asset_id}", json={"title": {"en": "Shusha memories"}},
                     headers=people["producer"]["h"])
    assert r.status_code == 200, r.get_json()
    assert wait_until(lambda: asset_id in search_ids(client, people["colleague"], "shusha"))

    r = patch(client, people["producer"], location, half, data[half:])
    assert r.status_code == 204 and r.headers["Ortak-Asset-Id"] == asset_id
    assert r.headers["Ortak-Upload-Status"] == "complete"
    with app.app_context():
        s = db.session()
        assert s.scalar(select(Asset.id).where(Asset.filename == "susa.mp4")) == asset_id  # the same row
        assert s.get(Upload, upload_id).asset_id == asset_id
    done = wait_for_status([asset_id], timeout=180, worker=worker)[asset_id]
    assert done.status == "ready", done.error
    assert done.meta["title"] == {"az": TITLE, "en": "Shusha memories"} and done.sha256 and done.original_key
    doc = client.get(f"/api/v1/assets/{asset_id}", headers=people["colleague"]["h"]).get_json()
    assert doc["upload"] is None and doc["sha256"] == done.sha256
    # Ready: every member finds it now.
    assert wait_until(lambda: asset_id in search_ids(client, people["trt"], status="ready"), timeout=120)
    with app.app_context():
        actions = db.session().scalars(select(Event.action).where(Event.subject_id == asset_id)
                                       .order_by(Event.id)).all()
    assert actions[:3] == ["asset.upload_started", "asset.metadata_changed", "asset.created"]
    assert actions[-1] == "asset.ready"


# ---- findable at once: the request writes the document before it answers -------------------

def test_the_search_right_after_the_201_finds_the_upload_and_its_edits(app, client, people, sent):
    """No worker runs and nothing waits: the search that follows the 201 (or the PATCH's 200)
    finds what it made. The index tasks are sent all the same."""
    asset_id = create(client, people["producer"], 1000).headers["Ortak-Asset-Id"]
    assert asset_id in search_ids(client, people["colleague"], status="uploading")
    assert asset_id in search_ids(client, people["admin"])
    assert asset_id not in search_ids(client, people["trt"])  # others once it is ready
    assert ("workers.tasks.index_asset", (asset_id,)) in sent

    r = client.patch(f"/api/v1/assets/{asset_id}", json={"title": {"en": "Shusha memories"}},
                     headers=people["producer"]["h"])
    assert r.status_code == 200, r.get_json()
    assert asset_id in search_ids(client, people["colleague"], "shusha")
    assert asset_id not in search_ids(client, people["trt"], "shusha")
    assert sent.count(("workers.tasks.index_asset", (asset_id,))) == 2


def test_a_refused_upload_indexes_nothing(app, client, people, sent):
    meta = f"filename {b64('susa.mp4')},title {b64(TITLE)},language {b64('xx')}"
    resp = client.post(UPLOADS, headers=tus(people["producer"], **{"Upload-Length": "1000", "Upload-Metadata": meta}))
    assert resp.status_code == 422
    assert search_ids(client, people["admin"]) == set() and sent == []


HOLD_WRITER = """
import sys, time
from search.tantivy_backend import TantivySearchBackend
backend = TantivySearchBackend(sys.argv[1])
writer = backend._open().writer(heap_size=15_000_000, num_threads=1)
print("held", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


def test_a_busy_index_writer_neither_fails_nor_holds_up_the_upload(app, client, people, sent):
    """Another process (a worker, `ortak reindex`) holds tantivy's one writer for longer than
    anything: the creation answers 201 while it still holds it, after SEARCH_WRITE_WAIT_MS and
    not the backend's minute-long lock_timeout, and the index task writes the document once
    the writer is free."""
    root = str(Path(__file__).resolve().parents[2])
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, app.config["SEARCH_DIR"]], cwd=root,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        answered = {}
        post = threading.Thread(target=lambda: answered.update(resp=create(client, people["producer"], 1000)))
        post.start()
        post.join(timeout=20)  # the lock_timeout (60 s) is what a request without a wait of its own would sit out
        assert not post.is_alive(), "the creation waited for the busy writer"
        assert holder.poll() is None  # the writer was held throughout
        asset_id = answered["resp"].headers["Ortak-Asset-Id"]
        assert asset_id not in search_ids(client, people["colleague"])  # written by no one yet
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
    run_index_tasks(app, sent)
    assert asset_id in search_ids(client, people["colleague"], status="uploading")


# ---- duplicates, termination, expiry -------------------------------------------------------

def test_duplicate_bytes_remove_the_upload_asset_and_link_the_one_held(app, client, people, sent):
    data = b"the same master twice\n" * 500
    first = create(client, people["producer"], len(data), title="Birinci")
    assert patch(client, people["producer"], first.headers["Location"], 0, data).status_code == 204
    held = first.headers["Ortak-Asset-Id"]

    second = create(client, people["trt_producer"], len(data), title="İkinci kopya")
    placeholder = second.headers["Ortak-Asset-Id"]
    run_index_tasks(app, sent)
    assert placeholder in search_ids(client, people["trt_producer"], "ikinci")
    client.patch(f"/api/v1/assets/{placeholder}", json={"genre": "folklore"}, headers=people["trt_producer"]["h"])

    r = patch(client, people["trt_producer"], second.headers["Location"], 0, data)
    assert r.status_code == 204
    assert (r.headers["Ortak-Asset-Id"], r.headers["Ortak-Duplicate-Of"], r.headers["Ortak-Holding"]) == \
        (held, held, "added")
    run_index_tasks(app, sent)
    with app.app_context():
        s = db.session()
        assert s.get(Asset, placeholder) is None
        upload = s.get(Upload, second.headers["Location"].rsplit("/", 1)[1])
        assert (upload.status, upload.asset_id, upload.placeholder_id) == ("duplicate", held, placeholder)
        holding = s.get(Asset, held).holdings[0]
        # The holding keeps what was sent and edited while the bytes arrived.
        assert holding.meta["title"] == {"az": "İkinci kopya"} and holding.meta["genre"] == "folklore"
        removed = s.scalar(select(Event).where(Event.subject_id == placeholder, Event.action == "asset.upload_removed"))
        assert {k: removed.after[k] for k in ("reason", "duplicate_of")} == {"reason": "duplicate", "duplicate_of": held}
    assert placeholder not in search_ids(client, people["trt_producer"], "ikinci")
    # The removed id answers why, with the asset that holds the bytes, to those who could see it.
    r = client.get(f"/api/v1/assets/{placeholder}", headers=people["trt_producer"]["h"])
    err = r.get_json()["error"]
    assert r.status_code == 404 and err["code"] == "duplicate_upload"
    assert {k: err["details"][k] for k in ("asset_id", "upload_id")} == {"asset_id": held, "upload_id": upload.id}
    r = client.get(f"/api/v1/assets/{placeholder}", headers=people["colleague"]["h"])  # another organisation
    assert r.status_code == 404 and r.get_json()["error"] == {**r.get_json()["error"], "code": "asset_not_found",
                                                               "details": {}}


def test_terminating_an_upload_removes_its_asset(app, client, people, sent):
    resp = create(client, people["producer"], 1000)
    asset_id, location = resp.headers["Ortak-Asset-Id"], resp.headers["Location"]
    assert patch(client, people["producer"], location, 0, b"x" * 400).status_code == 204
    run_index_tasks(app, sent)
    assert asset_id in search_ids(client, people["colleague"])
    assert client.delete(location, headers=tus(people["producer"])).status_code == 204
    run_index_tasks(app, sent)
    assert asset_id not in search_ids(client, people["colleague"])
    with app.app_context():
        s = db.session()
        assert s.get(Asset, asset_id) is None
        assert s.get(Upload, location.rsplit("/", 1)[1]).asset_id is None
    r = client.get(f"/api/v1/assets/{asset_id}", headers=people["colleague"]["h"])
    err = r.get_json()["error"]
    assert r.status_code == 404 and err["code"] == "asset_not_found" and err["details"]["upload_status"] == "aborted"
    assert client.get("/api/v1/assets", headers=people["producer"]["h"]).get_json()["total"] == 0


def test_an_expired_upload_loses_its_asset_at_the_sweep(app, client, people, sent):
    from archive import task_entry_points

    resp = create(client, people["producer"], 1000)
    asset_id, upload_id = resp.headers["Ortak-Asset-Id"], resp.headers["Location"].rsplit("/", 1)[1]
    kept = create(client, people["producer"], 1000, title="Qalan", filename="qalan.mp4")
    run_index_tasks(app, sent)
    with app.app_context():
        s = db.session()
        s.get(Upload, upload_id).expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
        report = task_entry_points.sweep()
        s.commit()
        assert report.uploads_purged == 1
        assert s.get(Asset, asset_id) is None and s.get(Upload, upload_id).status == "aborted"
        assert s.get(Asset, kept.headers["Ortak-Asset-Id"]).status == "uploading"
    run_index_tasks(app, sent)
    assert search_ids(client, people["producer"]) == set()
    assert kept.headers["Ortak-Asset-Id"] in search_ids(client, people["producer"], "qalan")


# ---- what needs an original refuses an uploading asset -------------------------------------

DECLARATION = {"platform": "linear_tv", "territory": "AZ", "from": "2027-01-01", "to": "2027-01-02",
               "purpose": "broadcast", "programme": "Xəbərlər"}


def test_what_needs_the_original_refuses_an_uploading_asset(app, client, people, sent):
    asset_id = create(client, people["producer"], 5000).headers["Ortak-Asset-Id"]
    h = people["producer"]["h"]

    def refused(resp, status, code):
        body = resp.get_json()
        assert resp.status_code == status and body["error"]["code"] == code, (resp.status_code, body)

    refused(client.get(f"/api/v1/assets/{asset_id}/download", query_string={"rendition": "original", **DECLARATION},
                       headers=h), 409, "original_not_ready")
    refused(client.get(f"/api/v1/assets/{asset_id}/download", query_string={"rendition": "proxy"}, headers=h),
            404, "rendition_not_found")
    refused(client.post(f"/api/v1/assets/{asset_id}/clips",
                        json={"in": "00:00:00:00", "out": "00:00:01:00", "mode": "fast", "declaration": DECLARATION},
                        headers=h), 409, "source_not_ready")
    basket = client.post("/api/v1/baskets", json={"name": "Seçmələr"}, headers=h).get_json()["id"]
    refused(client.post(f"/api/v1/baskets/{basket}/items", json={"asset_id": asset_id}, headers=h),
            409, "asset_uploading")
    expires = (utcnow() + timedelta(days=10)).isoformat()
    refused(client.post("/api/v1/shares", json={"asset_id": asset_id, "expires": expires}, headers=h),
            409, "asset_uploading")
    r = client.post(f"/api/v1/assets/{asset_id}/bag", json={"declaration": DECLARATION}, headers=h)
    refused(r, 409, "original_not_ready")
    assert "still arriving" in r.get_json()["error"]["message"]
    fixity = client.get("/api/v1/fixity", query_string={"asset": asset_id}, headers=people["admin"]["h"])
    assert fixity.status_code == 200, fixity.get_json()
    # Every other route of the asset answers without a server error.
    for path in ("", "/history", "/markers", "/transcripts", "/rights", "/renditions/proxy", "/provenance",
                 "/renditions/hls/master.m3u8", "/clips", "/projects", "/avails"):
        r = client.get(f"/api/v1/assets/{asset_id}{path}", headers=h)
        assert r.status_code < 500, (path, r.status_code, r.get_data(as_text=True)[:300])
    for page in ("", "/provenance"):
        assert client.get(f"/assets/{asset_id}{page}", headers=h).status_code < 500, page
    # What may be attached meanwhile (a rights block) goes with the asset when its upload is terminated.
    block = {"kind": "grant", "licensees": {"organisations": ["TRT"], "countries": [], "all_members": False},
             "territories": ["TR"], "platforms": ["linear_tv"], "start": "2027-01-01", "end": None}
    r = client.post(f"/api/v1/assets/{asset_id}/rights", json=block, headers=people["admin"]["h"])
    assert r.status_code == 201, r.get_json()
    location = f"{UPLOADS}/{client.get(f'/api/v1/assets/{asset_id}', headers=h).get_json()['upload']['id']}"
    assert client.delete(location, headers=tus(people["producer"])).status_code == 204
    with app.app_context():
        assert db.session().get(Asset, asset_id) is None


def test_coproduction_footage_refuses_an_uploading_asset(client, coprod):
    who = {"h": coprod.tr.auth}
    asset_id = create(client, who, 5000).headers["Ortak-Asset-Id"]
    r = coprod.post(f"/api/v1/projects/{coprod.project_id}/footage", {"asset_id": asset_id})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "asset_uploading", r.get_json()
    r = coprod.contribute({"party": "TRT", "kind": "footage", "asset_id": asset_id, "date": "2026-11-01"})
    assert r.status_code == 422, r.get_json()
    assert {e["code"] for e in r.get_json()["error"]["details"]["errors"]} == {"asset_uploading"}


# ---- the pages -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, received, started", [
    ("en", "400 B of 1000 B received (40%)", "Upload started"),
    ("tr", "400 B / 1000 B alındı (%40)", "Yükleme başladı"),
    ("az", "400 B / 1000 B qəbul edildi (40%)", "Yükləmə başladı"),
])
def test_the_pages_show_an_upload_in_progress(app, client, make_user, lang, received, started):
    from tests.functional.test_rights_pages import login

    uid, token = make_user("producer", "AZ", org="AzTV", email="p@aztv.test")
    who = {"id": uid, "h": {"Authorization": f"Bearer {token}"}}
    resp = create(client, who, 1000)
    asset_id = resp.headers["Ortak-Asset-Id"]
    assert patch(client, who, resp.headers["Location"], 0, b"x" * 400).status_code == 204
    login(client, "p@aztv.test")
    page = client.get(f"/assets/{asset_id}", headers={"Accept-Language": lang})
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    assert 'id="upload-bar" max="100" value="40"' in html
    assert received in html.replace("\xa0", " "), html[html.find("upload-received"):][:400]
    assert 'id="original-link"' not in html  # no original to download yet
    assert started in html  # the history's first Event
    mine = client.get("/my-uploads", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f'data-asset="{asset_id}" data-status="uploading"' in mine
    assert 'max="100" value="40" data-role="progress"' in mine


# ---- what was typed while the bytes arrived, when they turn out to be a duplicate -------------

SRT_AZ = "1\n00:00:01,000 --> 00:00:03,000\nŞuşa dağlarında\n\n2\n00:00:04,000 --> 00:00:06,000\nxatirələr\n"
SRT_TR = "1\n00:00:01,000 --> 00:00:03,000\nŞuşa dağlarında anılar\n"
SRT_TR_HELD = "1\n00:00:01,000 --> 00:00:02,000\nBaşka bir çeviri\n"
OPEN = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"], "platforms": ["linear_tv"],
        "start": "2027-01-01", "end": "2027-12-31"}
EXCLUSIVE = {"kind": "grant", "licensees": {"organisations": ["TRT"]}, "territories": ["TR"], "platforms": ["vod"],
             "start": "2027-01-01", "end": "2027-12-31", "exclusive": True}
RIVAL = {**EXCLUSIVE, "licensees": {"countries": ["AZ"]}}


@pytest.fixture
def managers(make_user):
    made = {"aztv": make_user("rights_manager", "AZ", org="AzTV"), "trt": make_user("rights_manager", "TR", org="TRT")}
    return {k: {"id": v[0], "h": {"Authorization": f"Bearer {v[1]}"}} for k, v in made.items()}


def put_transcript(client, who, asset_id, lang, text):
    r = client.put(f"/api/v1/assets/{asset_id}/transcripts/{lang}", data=text.encode(),
                   headers={**who["h"], "Content-Type": "application/x-subrip"})
    assert r.status_code in (200, 201), r.get_json()
    return r


def add_rights(client, who, asset_id, block):
    r = client.post(f"/api/v1/assets/{asset_id}/rights", json=block, headers=who["h"])
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def add_marker_row(app, asset_id, author_id, text):
    """A marker on the placeholder, written as a row: the API refuses markers on an asset with
    no timeline yet (409 no_timeline), but one probed early, or added by a later client, has them."""
    from archive.markers.models import Marker

    with app.app_context():
        s = db.session()
        s.add(Marker(asset_id=asset_id, in_frame=25, out_frame=None, rate="25/1", text=text, author_id=author_id))
        s.commit()


def upload_id_of(resp) -> str:
    return resp.headers["Location"].rsplit("/", 1)[1]


def _entries(report, what, **match):
    return [e for e in report if e["what"] == what and all(e.get(k) == v for k, v in match.items())]


def test_work_typed_on_an_own_duplicate_is_carried_to_the_held_asset(app, client, people, managers, sent):
    """A duplicate of the organisation's own asset used to drop everything typed while it
    arrived (the placeholder went with ON DELETE CASCADE), even the Upload-Metadata title. Now
    the held asset gains what it lacks (titles in other languages, a genre, keywords, a
    transcript language, a rights block, a marker); what conflicts stays as it was there and is
    reported (in the upload, the placeholder's 404 and the Events, the conflicting transcript
    kept whole)."""
    producer, manager = people["producer"], managers["aztv"]
    data = b"one master, uploaded twice by its own archive\n" * 400
    first = create(client, producer, len(data), title="Birinci")
    assert patch(client, producer, first.headers["Location"], 0, data).status_code == 204
    held = first.headers["Ortak-Asset-Id"]
    put_transcript(client, producer, held, "tr", SRT_TR_HELD)
    held_exclusive = add_rights(client, manager, held, EXCLUSIVE)

    second = create(client, producer, len(data), title="İkinci")  # az: the held asset has an az title
    placeholder = second.headers["Ortak-Asset-Id"]
    r = client.patch(f"/api/v1/assets/{placeholder}", headers=producer["h"], json={
        "title": {"en": "Shusha memories", "tr": "Şuşa anıları"}, "genre": "folklore", "keywords": ["saz", "muğam"]})
    assert r.status_code == 200, r.get_json()
    put_transcript(client, producer, placeholder, "az", SRT_AZ)
    put_transcript(client, producer, placeholder, "tr", SRT_TR)
    moved_block = add_rights(client, manager, placeholder, OPEN)
    rival = add_rights(client, manager, placeholder, RIVAL)
    add_marker_row(app, placeholder, producer["id"], "Qarabağ şikəstəsi başlayır")

    r = patch(client, producer, second.headers["Location"], 0, data)
    assert r.status_code == 204 and (r.headers["Ortak-Duplicate-Of"], r.headers["Ortak-Holding"]) == (held, "own_asset")

    asset = client.get(f"/api/v1/assets/{held}", headers=producer["h"]).get_json()
    assert asset["metadata"]["title"] == {"az": "Birinci", "en": "Shusha memories", "tr": "Şuşa anıları"}
    assert asset["metadata"]["genre"] == "folklore" and asset["metadata"]["keywords"] == ["saz", "muğam"]
    transcripts = client.get(f"/api/v1/assets/{held}/transcripts", headers=producer["h"]).get_json()
    langs = {t["lang"]: t for t in transcripts["transcripts"]}
    assert set(langs) == {"az", "tr"} and langs["tr"]["segment_count"] == 1  # the held tr kept
    rights = client.get(f"/api/v1/assets/{held}/rights", headers=producer["h"]).get_json()
    assert sorted(b["id"] for b in rights["items"]) == sorted([held_exclusive, moved_block])

    report = client.get(f"/api/v1/uploads/{upload_id_of(second)}", headers=tus(producer)).get_json()["carried_over"]
    applied, not_applied = report["applied"], report["not_applied"]
    assert _entries(applied, "title", lang="en", value="Shusha memories", to="asset")
    assert _entries(applied, "title", lang="tr") and _entries(applied, "genre", value="folklore")
    assert _entries(applied, "keywords", values=["saz", "muğam"])
    assert _entries(applied, "transcript", lang="az", cues=2)
    assert _entries(applied, "rights_block", id=moved_block)
    assert _entries(applied, "marker", text="Qarabağ şikəstəsi başlayır")
    assert _entries(not_applied, "title", lang="az", value="İkinci", reason="conflict")
    assert _entries(not_applied, "transcript", lang="tr", reason="conflict", cues=1)
    [refused] = _entries(not_applied, "rights_block", reason="exclusive_conflict")
    assert refused["blocks"] == [held_exclusive] and refused["block"]["id"] == rival
    assert refused["block"]["licensees"]["countries"] == ["AZ"]
    # The removed id answers the same, and its Event keeps the transcript that did not fit.
    err = client.get(f"/api/v1/assets/{placeholder}", headers=producer["h"]).get_json()["error"]
    assert err["code"] == "duplicate_upload" and err["details"]["carried_over"] == report
    with app.app_context():
        s = db.session()
        removed = s.scalar(select(Event).where(Event.subject_id == placeholder, Event.action == "asset.upload_removed"))
        assert removed.after["carried_over"] == report
        [kept] = removed.after["kept"]
        assert kept["lang"] == "tr" and kept["segments"] == [[1000, 3000, "Şuşa dağlarında anılar"]]
        actions = [e.action for e in s.scalars(select(Event).where(Event.subject_id == held).order_by(Event.id))]
        for action in ("asset.metadata_changed", "transcript.added", "rights.block_created", "marker.added",
                       "asset.upload_merged"):
            assert action in actions, (action, actions)
    # Search finds the held asset by what was carried to it.
    run_index_tasks(app, sent)
    assert held in search_ids(client, producer, "memories")


def test_work_typed_on_a_duplicate_of_another_organisations_asset(app, client, people, managers, sent):
    """Another organisation's asset is not ours to edit: the metadata as it stands at the end
    goes to our holding (a first copy takes it whole; a later one adds what the holding lacks),
    our transcripts and rights blocks are NOT moved onto it (a rights block of ours means nothing
    on their asset): reported as not applied and kept in the Event. Markers, which every member
    adds to any asset, move."""
    data = b"a master held by AzTV\n" * 300
    first = create(client, people["producer"], len(data), title="Birinci")
    assert patch(client, people["producer"], first.headers["Location"], 0, data).status_code == 204
    held = first.headers["Ortak-Asset-Id"]
    before = client.get(f"/api/v1/assets/{held}", headers=people["producer"]["h"]).get_json()["metadata"]

    trt = people["trt_producer"]
    second = create(client, trt, len(data), title="İkinci kopya")
    placeholder = second.headers["Ortak-Asset-Id"]
    client.patch(f"/api/v1/assets/{placeholder}", json={"title": {"tr": "Şuşa hatıraları"}, "genre": "folklore"},
                 headers=trt["h"])
    put_transcript(client, trt, placeholder, "tr", SRT_TR)
    block = add_rights(client, managers["trt"], placeholder, OPEN)
    add_marker_row(app, placeholder, trt["id"], "Buradan itibaren")

    r = patch(client, trt, second.headers["Location"], 0, data)
    assert r.status_code == 204 and r.headers["Ortak-Holding"] == "added"
    assert client.get(f"/api/v1/assets/{held}", headers=people["producer"]["h"]).get_json()["metadata"] == before
    assert client.get(f"/api/v1/assets/{held}/transcripts", headers=trt["h"]).get_json()["transcripts"] == []
    assert client.get(f"/api/v1/assets/{held}/rights", headers=trt["h"]).get_json()["items"] == []
    with app.app_context():
        s = db.session()
        holding = s.get(Asset, held).holdings[0]
        assert holding.meta["title"] == {"az": "İkinci kopya", "tr": "Şuşa hatıraları"}
        from archive.markers.models import Marker
        assert [m.text for m in s.scalars(select(Marker).where(Marker.asset_id == held))] == ["Buradan itibaren"]
        kept = s.scalar(select(Event).where(Event.subject_id == placeholder,
                                            Event.action == "asset.upload_removed")).after["kept"]
        assert [(k["lang"], k["segments"]) for k in kept] == [("tr", [[1000, 3000, "Şuşa dağlarında anılar"]])]
    report = client.get(f"/api/v1/uploads/{upload_id_of(second)}", headers=tus(trt)).get_json()["carried_over"]
    assert _entries(report["applied"], "title", lang="tr", to="holding")
    assert _entries(report["applied"], "genre", to="holding") and _entries(report["applied"], "marker", to="asset")
    assert _entries(report["not_applied"], "transcript", lang="tr", reason="not_your_asset")
    [refused] = _entries(report["not_applied"], "rights_block", reason="not_your_asset")
    assert refused["block"]["id"] == block and refused["block"]["licensees"]["organisations"] == ["TRT"]

    # The same organisation uploads it again: its holding gains what it lacks, the rest is reported.
    third = create(client, trt, len(data), title="Üçüncü")
    client.patch(f"/api/v1/assets/{third.headers['Ortak-Asset-Id']}", headers=trt["h"],
                 json={"title": {"en": "Shusha"}, "keywords": ["halay"]})
    r = patch(client, trt, third.headers["Location"], 0, data)
    assert r.status_code == 204 and r.headers["Ortak-Holding"] == "already_held"
    with app.app_context():
        holding = db.session().get(Asset, held).holdings[0]
        assert holding.meta["title"] == {"az": "İkinci kopya", "tr": "Şuşa hatıraları", "en": "Shusha"}
        assert holding.meta["keywords"] == ["halay"]
    report = client.get(f"/api/v1/uploads/{upload_id_of(third)}", headers=tus(trt)).get_json()["carried_over"]
    assert _entries(report["applied"], "title", lang="en", to="holding")
    assert _entries(report["not_applied"], "title", lang="az", value="Üçüncü", reason="conflict", to="holding")
