"""`ortak steps show|run`: a step of an asset re-run on its own, here or on the workers."""
from __future__ import annotations

import dataclasses

import pytest

from archive import db
from archive.assets.models import Asset
from archive.ingest.pipeline import process_asset
from archive.media import profiles
from archive.media.profiles import POSTER, VIDEO_PROXY
from tests.broker import clear, queued


@pytest.fixture
def ortak(ortak_cli):
    return ortak_cli


@pytest.fixture
def ready_video(app, register_file, sample_video):
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    clear(app)
    return asset_id


def test_show_lists_every_step(ortak, ready_video):
    r = ortak("steps", "show", ready_video)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert [line.split()[:2] for line in lines[-5:]] == [["probe", "done"], ["renditions", "done"],
                                                         ["fingerprints", "done"], ["credentials", "done"],
                                                         ["index", "done"]]


def test_run_here_makes_only_what_changed(ortak, app, ready_video, monkeypatch):
    r = ortak("steps", "run", "renditions", ready_video)
    assert (r.exit_code, r.output.splitlines()) == (0, [f"{ready_video}: current", "1 current"])
    monkeypatch.setitem(profiles.RENDITIONS, "video", (POSTER, dataclasses.replace(VIDEO_PROXY, crf=28)))
    r = ortak("steps", "run", "renditions", "--all")
    assert (r.exit_code, r.output.strip()) == (0, "1 done")
    # What ran is re-indexed once it is committed.
    assert ("workers.tasks.index_asset", (ready_video,)) in queued(app, "celery")


def test_run_on_the_workers_sends_one_task_per_ready_asset(ortak, app, ready_video, register_file, sample_image):
    waiting = register_file(sample_image)  # still processing: not ready, not sent
    clear(app)
    r = ortak("steps", "run", "renditions", "--all", "--queue")
    assert (r.exit_code, r.output.strip()) == (0, "1 queued")
    assert queued(app, "media") == [("workers.tasks.run_step", (ready_video, "renditions"))]
    r = ortak("steps", "run", "probe", ready_video, waiting, "00000000-0000-0000-0000-000000000000")
    assert r.exit_code == 0
    assert r.output.splitlines()[:3] == [
        f"{ready_video}: current",
        f"{waiting}: skipped (steps run again on ready assets only; it is still being processed: the ingest "
        "runs every step)",
        "00000000-0000-0000-0000-000000000000: missing (no asset has this id)"]


def test_a_skipped_asset_is_told_why(ortak, app, register_file, sample_image):
    from sqlalchemy import update

    from archive import db
    from archive.assets.models import Asset

    rejected = register_file(sample_image)
    with app.app_context():
        s = db.session()
        s.execute(update(Asset).where(Asset.id == rejected).values(
            status="rejected", error="The file is not a picture, a sound or a video.", error_code="unsupported"))
        s.commit()
    r = ortak("steps", "run", "probe", rejected)
    assert r.exit_code == 0
    assert r.output.splitlines() == [
        f"{rejected}: skipped (steps run again on ready assets only; it was rejected: The file is not a picture, "
        "a sound or a video.)", "1 skipped"]


def test_a_failed_step_exits_1_and_is_recorded(ortak, app, ready_video, monkeypatch):
    from archive.media import commands
    from archive.media.profiles import PosterProfile

    # The poster has an encode of its own (the MP4 proxy shares the 720p rung's).
    real = commands.OUTPUT_BUILDERS[PosterProfile]
    monkeypatch.setitem(commands.OUTPUT_BUILDERS, PosterProfile, lambda p, probe, dst: dataclasses.replace(
        real(p, probe, dst), args=("-frames:v", "1", "-c:v", "no-such-encoder", "-f", "image2")))
    r = ortak("steps", "run", "renditions", ready_video, "--force")
    assert (r.exit_code, r.output.splitlines()) == (1, [f"{ready_video}: failed", "1 failed"])
    with app.app_context():
        asset = db.session().get(Asset, ready_video)
        assert asset.status == "ready" and asset.steps["renditions"]["status"] == "failed"
    assert "no-such-encoder" in ortak("steps", "show", ready_video).output


@pytest.mark.parametrize("args, needle", [
    (("steps", "run", "transcode", "x"), "no step 'transcode' (one of probe, renditions, fingerprints, credentials, index)"),
    (("steps", "run", "renditions"), "give asset ids or --all"),
    (("steps", "run", "renditions", "x", "--all"), "give asset ids or --all"),
    (("steps", "run", "renditions", "--all", "--queue", "--force"), "--force runs here only"),
    (("steps", "show", "no-such-asset"), "asset_not_found"),
])
def test_bad_input_is_refused_with_a_reason(ortak, args, needle):
    r = ortak(*args)
    assert r.exit_code == 2 and needle in r.output, r.output
