"""Fixity: every stored original and rendition file re-hashed against the SHA-256 recorded when it
was stored, on local storage and on S3 (SeaweedFS); a changed blob and a missing one are named,
recorded as PREMIS-style events, and told to the admins."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from archive import db
from archive.backends import storage
from archive.db import utcnow
from archive.notifications import checks
from archive.notifications.models import Notification
from archive.provenance import fixity
from archive.provenance.models import FixityCheck
from tests.asset_factory import create_asset

HLS = {"hls": {"files": {"master.m3u8": b"#EXTM3U\n", "seg_0_001.m4s": b"\x00segment one" * 50,
                         "seg_0_002.m4s": b"\x01segment two" * 50}},
       "proxy": {"data": b"proxy bytes" * 100, "ext": ".mp4", "content_type": "video/mp4"}}


@pytest.fixture
def assets(app, make_user):
    uid, _ = make_user("producer", "TR")
    first = create_asset(app, uid, b"first original\n" * 1000, renditions=HLS)
    second = create_asset(app, uid, b"second original\n" * 700)
    return first, second


def _check_all(app, asset_id=None, rate=0):
    with app.app_context():
        s = db.session()
        result = fixity.check_all(s, storage(), "test-agent", asset_id=asset_id, rate=rate)
        s.commit()
        return result.counts, [(r.asset_id, r.kind, r.rendition, r.path, r.outcome) for r in result.failures]


def _key(app, asset_id, rendition=None):
    with app.app_context():
        s = db.session()
        for f in fixity.stored_files(s, asset_id):
            if (rendition is None and f.kind == "original") or (rendition and f.label == rendition):
                return f.blob_key
    raise AssertionError("no such file")


def _tamper(app, key: str) -> None:
    """Change one byte of the stored blob, as bit rot or an intruder would."""
    with app.app_context():
        store = storage()
        data = bytearray(b"".join(store.open_range(key)))
        data[len(data) // 2] ^= 0x01
        path = store.local_path(key)
        if path is not None:
            with open(path, "r+b") as fh:
                fh.seek(len(data) // 2)
                fh.write(bytes([data[len(data) // 2]]))
        else:
            store.delete(key)
            store.put_stream(key, io.BytesIO(bytes(data)), length=len(data))


def _remove(app, key: str) -> None:
    with app.app_context():
        storage().delete(key)


def test_intact_files_pass_and_each_check_is_a_premis_event(app, assets):
    first, second = assets
    counts, failures = _check_all(app)
    assert counts == {"pass": 6, "fail": 0, "missing": 0}  # 2 originals, 3 HLS files, 1 proxy
    assert failures == []
    with app.app_context():
        rows = db.session().scalars(select(FixityCheck)).all()
        assert {r.agent for r in rows} == {"test-agent"}
        original = next(r for r in rows if r.asset_id == second and r.kind == "original")
        assert original.actual_sha256 == original.expected_sha256 and original.bytes_read == 16 * 700
        assert fixity.check_json(original)["event_type"] == "fixity check"


def _fixity_notifications(app):
    with app.app_context():
        return db.session().scalars(select(Notification).where(Notification.kind.like("fixity_%"))
                                    .order_by(Notification.id)).all()


def _bad_input_case(app, make_user, assets):
    first, second = assets
    admin, _ = make_user("admin", "TR", org="Ortak")
    seg = _key(app, first, "hls/seg_0_002.m4s")
    _tamper(app, _key(app, second))
    _remove(app, seg)
    counts, failures = _check_all(app)
    assert counts == {"pass": 4, "fail": 1, "missing": 1}
    assert set(failures) == {(first, "rendition", "hls", "seg_0_002.m4s", "missing"),
                             (second, "original", None, None, "fail")}
    with app.app_context():
        s = db.session()
        report = fixity.report(s, app.config)
        assert [i["outcome"] for i in report["items"]][:2] == ["missing", "fail"]  # failures first
        assert report["counts"] == {"pass": 4, "fail": 1, "missing": 1, "unchecked": 0}
        failed = report["items"][1]
        assert failed["asset_id"] == second and failed["object"]["label"] == "original"
        assert failed["actual_sha256"] != failed["expected_sha256"]
        assert failed["object"]["blob_key"] == _key(app, second)
        checks.run_checks(s, app.config, names=["fixity"])
        s.commit()
    told = _fixity_notifications(app)
    assert sorted(n.kind for n in told) == ["fixity_fail", "fixity_missing"]
    assert {n.user_id for n in told} == {admin}
    missing = next(n for n in told if n.kind == "fixity_missing")
    assert missing.subject == first and "seg_0_002.m4s" in missing.message and seg in missing.message
    failed = next(n for n in told if n.kind == "fixity_fail")
    from archive.web import messages
    for lang, words in (("tr", ("Bütünlük denetimi başarısız", "özgün dosyası")),
                        ("az", ("Bütövlük yoxlaması uğursuz", "orijinal faylı")),
                        ("en", ("Fixity check failed: the original of",))):
        with app.test_request_context(headers={"Accept-Language": lang}):
            text = messages.notification(failed.kind, failed.params, failed.message)
        assert all(w in text for w in words) and second in text, (lang, text)
    # Found again at the next check: the same damage is not told twice.
    _check_all(app)
    with app.app_context():
        s = db.session()
        checks.run_checks(s, app.config, names=["fixity"])
        s.commit()
    assert len(_fixity_notifications(app)) == 2


def test_changed_and_missing_blobs_are_named_and_told_local(app, make_user, assets):
    _bad_input_case(app, make_user, assets)


@pytest.mark.s3
class TestOnS3:
    @pytest.fixture
    def app_config(self, app_config, s3_config):
        return {**app_config, **s3_config}

    def test_changed_and_missing_blobs_are_named_and_told_s3(self, app, make_user, assets):
        with app.app_context():
            assert storage().local_path(_key(app, assets[0])) is None  # really remote
        _bad_input_case(app, make_user, assets)


def test_one_asset_only(app, assets):
    first, _second = assets
    counts, _ = _check_all(app, first)
    assert sum(counts.values()) == 5
    with app.app_context():
        assert {r.asset_id for r in db.session().scalars(select(FixityCheck))} == {first}


def test_a_clip_not_cut_yet_has_no_file_to_check(app, make_user, assets):
    from archive.assets.models import Asset

    with app.app_context():
        s = db.session()
        source = s.get(Asset, assets[0])
        s.add(Asset(status="processing", filename="clip.mov", size=0, sha256="pending:abc", original_key="",
                    organisation_id=source.organisation_id, country="TR", uploader_id=source.uploader_id,
                    source_id=source.id, lineage={"source_id": source.id}))
        s.commit()
        assert fixity.totals(s) == (7 - 1, fixity.totals(s)[1])


def test_scheduled_runs_spread_the_cycle_and_take_the_longest_unchecked_first(app, assets):
    config = {**app.config, "FIXITY_CYCLE_DAYS": 30, "FIXITY_RUN_SECONDS": 10 * 24 * 3600,
              "FIXITY_BYTES_PER_SECOND": 0}
    with app.app_context():
        s = db.session()
        files, total = fixity.totals(s)
        budget = fixity.run_budget(total, 10 * 24 * 3600, 30 * 24 * 3600)
        first = fixity.run_due(s, storage(), config)
        # A third of the bytes per run (10 of 30 days): never everything at once.
        assert 1 <= first.checked < files and (first.bytes <= budget or first.checked == 1)
        seen = set(s.scalars(select(FixityCheck.blob_key)))
        last_id = s.scalar(select(FixityCheck.id).order_by(FixityCheck.id.desc()).limit(1))
        second = fixity.run_due(s, storage(), config)
        assert second.checked >= 1
        again = set(s.scalars(select(FixityCheck.blob_key).where(FixityCheck.id > last_id)))
        assert again and seen.isdisjoint(again)  # the never-checked files come before any re-check
        runs = 2
        while fixity.report(s, config)["counts"]["unchecked"]:
            fixity.run_due(s, storage(), config)
            runs += 1
        assert runs <= 4  # ceil(30 / 10) runs, and one more for the rounding of whole files
        report = fixity.report(s, config)
        assert report["counts"]["pass"] == files and report["overdue"] == 0
        # Nothing is due again within the cycle; 31 days on, everything is.
        assert fixity.run_due(s, storage(), config).checked == 0
        assert fixity.report(s, config, now=utcnow() + timedelta(days=31))["overdue"] == files


def test_throttle_holds_the_rate():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    t = fixity.Throttle(1000, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        t.take(500)
    assert now[0] == pytest.approx(5.0)  # 5000 bytes at 1000 B/s
    unlimited = fixity.Throttle(0, clock=lambda: 0.0, sleep=lambda s: pytest.fail("slept"))
    unlimited.take(10**9)


def test_run_budget():
    assert fixity.run_budget(3000, 3600, 30 * 86400) == 5  # ceil(3000 × 3600 / 2592000)
    assert fixity.run_budget(3000, 86400, 3600) == 3000
    assert fixity.run_budget(0, 3600, 86400) == 0


def test_the_scheduler_sends_the_fixity_run_and_the_task_tells_the_admins(app, make_user, assets):
    from archive import task_entry_points
    from archive.task_handles import FIXITY_CHECKS, MEDIA_QUEUE

    beat = app.extensions["ortak.celery"].conf.beat_schedule
    assert beat["ortak-fixity"]["task"] == FIXITY_CHECKS.name
    assert beat["ortak-fixity"]["schedule"] == float(app.config["FIXITY_RUN_SECONDS"]) == 3600.0
    assert beat["ortak-fixity"]["options"]["queue"] == FIXITY_CHECKS.queue == MEDIA_QUEUE

    admin, _ = make_user("admin", "TR", org="Ortak")
    _tamper(app, _key(app, assets[1]))
    app.config["FIXITY_RUN_SECONDS"] = 30 * 24 * 3600  # one run as long as the cycle: every file is due
    with app.app_context():
        s = db.session()
        checked = task_entry_points.fixity_checks()  # the task body: one run, then the fixity check
        s.commit()
    assert checked == 6
    with app.app_context():
        rows = db.session().scalars(select(FixityCheck)).all()
        assert {r.agent for r in rows} == {fixity.SCHEDULER_AGENT}
        assert [(r.asset_id, r.outcome) for r in rows if r.outcome != "pass"] == [(assets[1], "fail")]
    told = _fixity_notifications(app)  # at once, not at the next daily run of the checks
    assert [(n.user_id, n.kind, n.subject) for n in told] == [(admin, "fixity_fail", assets[1])]


def test_files_are_read_in_pages(app, assets):
    with app.app_context():
        s = db.session()
        whole = [f.blob_key for f in fixity.stored_files(s)]
        assert len(whole) == 6 and whole == sorted(whole)
        assert [f.blob_key for f in fixity.stored_files(s, batch=2)] == whole
        assert [f.blob_key for f in fixity.stored_files(s, batch=1)] == whole
        due = [f.blob_key for f in fixity.due_files(s, utcnow(), timedelta(days=30), batch=2)]
        assert sorted(due) == whole


def test_a_blobs_latest_check_is_the_one_recorded_last_for_one_blob_and_for_many(app, assets):
    """Two runs checked the same file: the one that found it changed started later (its `at`)
    but recorded first; the one that found it intact recorded last. The latest check is the one
    recorded last, for a download (`failed_check`) as for a basket zip (`failed_checks_of`) and
    the admins' list (`latest_checks`): all three say the file is intact."""
    first, _ = assets
    key = _key(app, first)
    with app.app_context():
        s = db.session()
        common = {"asset_id": first, "kind": "original", "blob_key": key, "expected_sha256": "a" * 64,
                  "bytes_read": 1, "agent": "test-agent"}
        now = utcnow()
        s.add(FixityCheck(at=now, outcome="fail", actual_sha256="b" * 64, **common))
        s.flush()
        s.add(FixityCheck(at=now - timedelta(minutes=5), outcome="pass", actual_sha256="a" * 64, **common))
        s.commit()
        assert fixity.failed_checks_of(s, [key]) == {}
        assert [r for r in fixity.latest_checks(s, failed_only=True) if r.blob_key == key] == []
        assert fixity.failed_check(s, key) is None
