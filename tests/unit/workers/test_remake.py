"""Renditions are re-made when their profile changes, and only then.

Real ffmpeg and the configured storage; every process the media layer starts and every
write to storage is counted, so "made nothing" is measured, not assumed.
"""
from __future__ import annotations

import dataclasses
import os

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset, render_one, run_one_step
from archive.media import probe as probe_module
from archive.media import profiles
from archive.media import render as render_module
from archive.media.profiles import POSTER, VIDEO_PROXY, spec_hash
from archive.provenance import services as provenance_services
from archive.provenance.fingerprint_models import VideoFingerprint


@pytest.fixture
def counted(app, monkeypatch):
    """{"ffmpeg": [argv...], "ffprobe": n, "writes": [keys]}: what the media layer ran and stored."""
    seen = {"ffmpeg": [], "probe": 0, "writes": []}
    real_render_run, real_probe_run = render_module.run, probe_module.run

    def render_run(argv, **kwargs):
        seen["ffmpeg"].append(list(argv))
        return real_render_run(argv, **kwargs)

    def probe_run(argv, **kwargs):
        seen["probe"] += 1
        return real_probe_run(argv, **kwargs)

    monkeypatch.setattr(render_module, "run", render_run)
    monkeypatch.setattr(probe_module, "run", probe_run)
    with app.app_context():
        store = storage()
    for method in ("put_file", "put_stream"):
        real = getattr(store, method)

        def counting(key, *args, _real=real, **kwargs):
            seen["writes"].append(key)
            return _real(key, *args, **kwargs)

        monkeypatch.setattr(store, method, counting)
    return seen


def snapshot(app, asset_id):
    """{name: (status, spec_hash, prefix, sha256, attempts, [(path, key)])} and every stored key."""
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        rows = {r.name: (r.status, r.spec_hash, r.prefix, r.sha256, r.attempts,
                         [(f.path, f.blob_key) for f in r.files]) for r in asset.renditions}
        keys = sorted(b.key for b in storage().list_prefix(f"renditions/{asset_id}"))
        return rows, keys, dict(asset.steps or {})


def outputs(argv) -> list[str]:
    """The files the command's outputs name: `file:` arguments, and each file of a `tee`."""
    found = []
    for a in argv:
        if a.startswith("file:") and a != argv[argv.index("-i") + 1]:
            found.append(a)
        elif a.startswith("[") and "]file:" in a:  # a tee: [options]file:...|[options]file:...
            found += [slave.rsplit("]", 1)[1] for slave in a.split("|")]
    return found


def test_one_decode_makes_both_then_an_unchanged_run_makes_nothing(app, register_file, sample_video, counted):
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    [argv] = counted["ffmpeg"]  # every rendition: ONE ffmpeg command
    # the proxy is the 360p rung's encode: one tee writes the rung, the proxy and the audio rendition
    assert [o.rsplit("/", 2)[-2:] for o in outputs(argv)][:4] == [
        ["poster", "poster.jpg"], ["360p", "index.m3u8"], ["proxy", "proxy.mp4"], ["audio_0", "index.m3u8"]]
    assert argv.count("libx264") == 1 and argv.count("aac") == 1
    assert [o.rsplit("/", 1)[1] for o in outputs(argv)][4:] == ["thumb_%05d.jpg", "pcm_0",
                                                              "fingerprint.yuv"]  # scratch files
    assert "-filter_complex" in argv and argv.count("-i") == 1
    # What a make under way publishes for players (`<prefix>-live/…`, once it has run a second:
    # how many times depends on the machine's speed) is not what it made.
    written = sorted(k.split("/", 4)[2] + "/" + k.split("/", 4)[4] for k in counted["writes"]
                     if k.startswith("renditions/") and not k.split("/", 4)[3].endswith("-live"))
    assert written == ["fingerprints/colour.bin", "fingerprints/phash.bin", "fingerprints/phash.json", "hls/360p/index.m3u8", "hls/360p/init.mp4", "hls/360p/seg_00000.m4s",
                       "hls/audio_0/index.m3u8", "hls/audio_0/init.mp4", "hls/audio_0/seg_00000.m4s",
                       "hls/master.m3u8", "poster/poster.jpg", "proxy/proxy.mp4", "storyboard/sprite_0.jpg",
                       "storyboard/storyboard.vtt", "waveform/waveform.json"]
    rows, keys, steps = snapshot(app, asset_id)
    assert rows["proxy"][1] == spec_hash(VIDEO_PROXY) and rows["poster"][1] == spec_hash(POSTER)
    assert keys == sorted(f"{rows[k.split('/', 4)[2]][2]}/{k.split('/', 4)[4]}" for k in counted["writes"]
                          if k.startswith("renditions/"))

    counted["ffmpeg"].clear(), counted["writes"].clear()
    counted["probe"] = 0
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "current"
        assert render_one(asset_id, "proxy") == "ready"
        assert run_one_step(asset_id, "probe") == "current"
    assert counted == {"ffmpeg": [], "probe": 0, "writes": []}
    assert snapshot(app, asset_id)[:2] == (rows, keys)

    # A re-delivered ingest (the sweeper re-queued it): every step is done with the same inputs.
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.status, asset.processing_started_at = "processing", None
        s.commit()
        assert process_asset(asset_id) == "ready"
    assert counted == {"ffmpeg": [], "probe": 0, "writes": []}
    assert snapshot(app, asset_id)[:2] == (rows, keys)


def test_a_profile_change_re_makes_only_that_rendition(app, register_file, sample_video, counted, monkeypatch):
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    before, keys_before, _ = snapshot(app, asset_id)
    counted["ffmpeg"].clear(), counted["writes"].clear()

    smaller = dataclasses.replace(VIDEO_PROXY, max_width=320, max_height=180, crf=30)
    monkeypatch.setitem(profiles.RENDITIONS, "video", (POSTER, smaller))
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
    [argv] = counted["ffmpeg"]
    assert [o.rsplit("/", 1)[1] for o in outputs(argv)] == ["proxy.mp4"]  # the poster is not made again
    assert "-filter_complex" not in argv and "scale=320:180" in argv[argv.index("-vf") + 1]
    assert [k.rsplit("/", 1)[1] for k in counted["writes"]] == ["proxy.mp4"]

    after, keys_after, steps = snapshot(app, asset_id)
    assert after["poster"] == before["poster"]  # same make, same files, no new attempt
    status, spec, prefix, sha, attempts, files = after["proxy"]
    assert (status, spec, attempts) == ("ready", spec_hash(smaller), 2)
    assert prefix != before["proxy"][2] and sha != before["proxy"][3]
    assert files == [("proxy.mp4", f"{prefix}/proxy.mp4")]
    # The previous make is gone once the new one is committed; the poster's is untouched.
    assert [k for k in keys_after if k.split("/")[2] in ("proxy", "poster")] == \
           sorted([f"{prefix}/proxy.mp4", f"{before['poster'][2]}/poster.jpg"])
    assert [k for k in keys_after if k.split("/")[2] not in ("proxy", "poster")] == \
           [k for k in keys_before if k.split("/")[2] not in ("proxy", "poster")]
    assert steps["renditions"]["status"] == "done"
    with app.app_context():
        rows = {r.name: r for r in db.session().get(Asset, asset_id).renditions}
        assert (rows["proxy"].width, rows["proxy"].height) == (320, 180)

    counted["ffmpeg"].clear(), counted["writes"].clear()
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "current"
    assert counted["ffmpeg"] == [] and counted["writes"] == []

    # --force makes both again, from one decode.
    with app.app_context():
        assert run_one_step(asset_id, "renditions", force=True) == "done"
    [argv] = counted["ffmpeg"]
    assert [o.rsplit("/", 1)[1] for o in outputs(argv)] == ["poster.jpg", "proxy.mp4"]


def test_a_new_fingerprints_profile_is_made_and_recorded_by_one_command(app, register_file, sample_video, counted,
                                                                        monkeypatch):
    """An upgrade that changes how masters are hashed: `ortak steps run renditions` makes the
    fingerprints rendition again and the fingerprints step, whose input that is, copies the new
    hashes into the index table in the same run (the other renditions stay as they were)."""
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        before = db.session().get(VideoFingerprint, asset_id)
        old_sha, old_planes = before.source_sha256, before.planes
    counted["ffmpeg"].clear(), counted["writes"].clear()
    fewer = dataclasses.replace(profiles.FINGERPRINTS, cuts=(4 / 3,))
    video = tuple(fewer if p.name == "fingerprints" else p for p in profiles.RENDITIONS["video"])
    monkeypatch.setitem(profiles.RENDITIONS, "video", video)
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
        session = db.session()
        row = session.get(VideoFingerprint, asset_id)
        entry = provenance_services.fingerprint_file(session, asset_id)
        assert row.source_sha256 == entry.sha256 != old_sha and (old_planes, row.planes) == (6, 4)
        assert len(row.colours) == 4 * row.count * 3  # each hashed picture's colour beside it
        assert session.get(Asset, asset_id).steps["fingerprints"]["status"] == "done"
    assert sorted(k.rsplit("/", 1)[1] for k in counted["writes"]) == ["colour.bin", "phash.bin", "phash.json"]
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "current"


def test_a_changed_poster_alone_seeks_instead_of_decoding_everything(app, register_file, sample_video, counted,
                                                                     monkeypatch):
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    counted["ffmpeg"].clear()
    monkeypatch.setitem(profiles.RENDITIONS, "video", (dataclasses.replace(POSTER, at_fraction=0.5), VIDEO_PROXY))
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
    [argv] = counted["ffmpeg"]
    assert argv.index("-ss") < argv.index("-i") and argv[argv.index("-ss") + 1] == "2.000"
    assert "-progress" not in argv


def test_rows_made_before_profiles_were_hashed_are_re_made_once(app, register_file, sample_video, counted):
    """A migrated row has spec_hash NULL: the next renditions step makes it again, then never."""
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        s = db.session()
        for r in s.get(Asset, asset_id).renditions:
            r.spec_hash = None
        s.commit()
    counted["ffmpeg"].clear()
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
        assert run_one_step(asset_id, "renditions") == "current"
    assert len(counted["ffmpeg"]) == 1


def test_a_failed_re_make_keeps_serving_the_previous_files(app, client, auth, register_file, sample_video,
                                                           monkeypatch):
    from archive.media import commands
    from archive.media.profiles import VideoProxyProfile

    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    before, keys_before, _ = snapshot(app, asset_id)
    served = client.get(f"/api/v1/assets/{asset_id}/renditions/proxy/proxy.mp4", headers=auth).data

    real = commands.OUTPUT_BUILDERS[VideoProxyProfile]

    def broken(profile, probe, dst):
        part = real(profile, probe, dst)
        return dataclasses.replace(part, args=tuple("no-such-encoder" if a == "libx264" else a for a in part.args))

    monkeypatch.setitem(commands.OUTPUT_BUILDERS, VideoProxyProfile, broken)
    monkeypatch.setitem(profiles.RENDITIONS, "video", (POSTER, dataclasses.replace(VIDEO_PROXY, crf=31)))
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "failed"
    after, keys_after, steps = snapshot(app, asset_id)
    assert after["proxy"][0] == "failed" and after["proxy"][2:4] == before["proxy"][2:4]
    assert after["proxy"][5] == before["proxy"][5] and keys_after == keys_before  # nothing new left behind
    assert steps["renditions"]["status"] == "failed" and "no-such-encoder" in steps["renditions"]["error"]
    resp = client.get(f"/api/v1/assets/{asset_id}/renditions/proxy/proxy.mp4", headers=auth)
    assert resp.status_code == 200 and resp.data == served
    with app.app_context():
        assert db.session().get(Asset, asset_id).status == "ready"


def test_progress_is_written_to_every_rendition_of_the_decode_at_most_once_a_second(monkeypatch):
    import archive.models  # noqa: F401  (every mapper, for a Rendition made here)
    from archive.renditions import services
    from archive.renditions.models import Rendition

    clock = [100.0]
    commits = []
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(services.db, "checkpoint", lambda session: commits.append(session))
    rows = [Rendition(name="proxy"), Rendition(name="poster")]
    writer = services.ProgressWriter("session", rows)
    for at, fraction in ((100.0, 0.1), (100.4, 0.2), (100.9, 0.3), (101.0, 0.4), (101.5, 0.5), (102.2, 1.0)):
        clock[0] = at
        writer(fraction)
    assert len(commits) == 3
    assert [r.progress for r in rows] == [0.999, 0.999]  # 1.0 only once the files are stored


def test_a_source_failing_mid_encode_leaves_nothing_and_can_be_retried(app, register_file, sample_video, tmp_path):
    """The probe passed (the head is fine); the decode fails part-way: every rendition of
    the decode is failed with ffmpeg's reason, nothing is stored or left in scratch, and a
    retry on a readable original makes them all."""
    from archive.media.probe import inspect_media
    from archive.media.runner import CommandFailed
    from archive.renditions import services

    data = bytearray(sample_video.read_bytes())
    third = len(data) // 3
    data[third:2 * third] = bytes((i * 131 + 7) % 256 for i in range(third))
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    asset_id = register_file(sample_video)
    probe = inspect_media(str(sample_video), timeout=60)
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        wanted = profiles.renditions_for("video", probe)
        with pytest.raises(CommandFailed, match="Invalid data"):
            services.make_renditions(s, asset, wanted, lambda: str(bad), probe=probe)
        rows = {r.name: r for r in s.get(Asset, asset_id).renditions}
        assert set(rows) == {p.name for p in wanted}
        for row in rows.values():
            assert (row.status, row.entry, row.file_count) == ("failed", None, 0)
            assert "exited with status 69" in row.error and "Invalid data found" in row.error
        assert list(storage().list_prefix(f"renditions/{asset_id}")) == []
        assert os.listdir(services.work_dir()) == []
        # retry: the same rows, one more attempt, all ready
        made = services.make_renditions(s, asset, wanted, lambda: str(sample_video), probe=probe)
        assert [(r.status, r.attempts) for r in made] == [("ready", 2)] * len(wanted)


def test_a_video_longer_than_chunk_seconds_is_made_in_chunks(app, register_file, counted, tmp_path):
    import subprocess

    src = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=7",
                    "-f", "lavfi", "-i", "sine=duration=7", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", str(src)], check=True)
    app.config["CHUNK_SECONDS"] = 1  # 6 s chunks: 0–6 s and 6–7 s
    asset_id = register_file(src)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    windows = [(a[a.index("-ss") + 1], a[a.index("-t") + 1]) for a in counted["ffmpeg"] if "-ss" in a]
    assert sorted(windows) == [("0.000", "6.000"), ("6.000", "1.000")]
    # the first chunk alone, into HLS segments published before the join (archive.renditions.live)
    [preview] = [a for a in counted["ffmpeg"] if "-t" in a and "-ss" not in a]
    assert preview[preview.index("-t") + 1] == "6.000" and "libx264" not in preview
    [join] = [a for a in counted["ffmpeg"] if "concat" in a]
    assert "libx264" not in join
    rows, keys, _ = snapshot(app, asset_id)
    assert {name: row[0] for name, row in rows.items()} == {n: "ready" for n in
                                                            ("poster", "proxy", "hls", "storyboard", "waveform",
                                                             "fingerprints")}


def test_a_chunk_another_worker_encoded_is_fetched_from_storage_not_encoded_again(app, register_file, counted,
                                                                                  tmp_path, monkeypatch):
    """A worker's RENDER_CHUNK task claims chunk 1 first (here: run as the rows are committed,
    in place of a worker); the make's own task encodes the others, downloads chunk 1 and joins."""
    import subprocess

    from archive import task_entry_points
    from archive.renditions import chunking
    from archive.renditions.models import RenderChunk

    src = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=13",
                    "-f", "lavfi", "-i", "sine=duration=13", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", str(src)], check=True)
    app.config.update(CHUNK_SECONDS=1, CHUNK_PARALLEL=1)
    real_plan = chunking.plan
    by_task = []

    def plan_then_a_worker_takes_chunk_1(session, asset, profiles, probe, chunk_seconds):
        rows = real_plan(session, asset, profiles, probe, chunk_seconds)
        by_task.append(task_entry_points.render_chunk(rows[1].id))
        assert task_entry_points.render_chunk(rows[1].id) == "skipped"  # a duplicate delivery
        stored = sorted(b.key.rsplit("/", 1)[1] for b in storage().list_prefix(f"chunks/{asset.id}/{rows[0].make}"))
        by_task.append(stored)
        return rows

    monkeypatch.setattr(chunking, "plan", plan_then_a_worker_takes_chunk_1)
    asset_id = register_file(src)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
        assert db.session().query(RenderChunk).count() == 0  # the rows go with the make
        assert list(storage().list_prefix(f"chunks/{asset_id}")) == []  # and the stored chunk files
    assert by_task[0] == "done"
    # 6–12 s: the rung (the proxy is its stream: no proxy.mp4 of its own), the grey frames, thumbnails
    assert by_task[1] == ["90p.mp4", "fingerprint.yuv", *(f"thumb_{n:05d}.jpg" for n in range(6, 12))]
    windows = sorted((a[a.index("-ss") + 1], a[a.index("-t") + 1]) for a in counted["ffmpeg"] if "-ss" in a)
    assert windows == [("0.000", "6.000"), ("12.000", "1.000"), ("6.000", "6.000")]  # each chunk encoded once
    rows, _keys, _ = snapshot(app, asset_id)
    assert {row[0] for row in rows.values()} == {"ready"}
    with app.app_context():
        hls = next(r for r in db.session().get(Asset, asset_id).renditions if r.name == "hls")
        path = storage().local_path(next(f.blob_key for f in hls.files if f.path == "90p/index.m3u8"))
    import m3u8
    assert [s.duration for s in m3u8.load(path).segments] == [6.0, 6.0, 1.0]


def test_a_chunk_failed_elsewhere_fails_the_make_with_its_reason_and_leaves_nothing(app, register_file, tmp_path,
                                                                                   monkeypatch):
    import subprocess

    from archive.renditions import chunking
    from archive.renditions.models import RenderChunk

    src = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=13",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(src)], check=True)
    app.config.update(CHUNK_SECONDS=1, CHUNK_PARALLEL=1)
    real_plan = chunking.plan

    def plan_then_chunk_2_fails_on_a_worker(session, asset, profiles, probe, chunk_seconds):
        rows = real_plan(session, asset, profiles, probe, chunk_seconds)
        assert chunking.claim(session, rows[2].id)
        chunking._finish(session, rows[2].id, "failed", error="ffmpeg exited with status 1: disk full")
        return rows

    monkeypatch.setattr(chunking, "plan", plan_then_chunk_2_fails_on_a_worker)
    asset_id = register_file(src)
    with app.app_context():
        assert process_asset(asset_id) == "failed"
        s = db.session()
        asset = s.get(Asset, asset_id)
        assert "chunk 2 failed: ffmpeg exited with status 1: disk full" in asset.error
        assert {r.status for r in asset.renditions} == {"failed"} and s.query(RenderChunk).count() == 0
        assert list(storage().list_prefix(f"renditions/{asset_id}")) == []
        assert list(storage().list_prefix(f"chunks/{asset_id}")) == []
