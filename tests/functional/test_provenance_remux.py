"""Reverse clip search tells a stream copy from a re-encode: a cut of the master made with
`-c copy`, and re-wraps of it into Matroska and MPEG-TS, carry the master's own video packets
and are answered `remuxed`; a re-encode stays `re_encoded`; a master that is not H.264 (MPEG-2
in Matroska) too; an original that cannot be read leaves the answer `re_encoded`, never a 500."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.media import commands, fingerprints
from archive.media.probe import inspect_media
from archive.media.profiles import FINGERPRINTS
from archive.media.runner import run
from archive.provenance import services
from tests.asset_factory import create_asset
from tests.functional.test_provenance_lookup import _ffmpeg, _picture, _post, people  # noqa: F401


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    d = tmp_path_factory.mktemp("remux")
    files = {"master": _picture(d / "master.mp4", "whole", 24)}
    # 8 s from 6 s, stream-copied into an MP4; 8 s from 12.5 s (not on a keyframe: the copy
    # starts at the one before) re-wrapped into Matroska and MPEG-TS; 8 s from 6 s re-encoded.
    _ffmpeg("-ss", "6", "-t", "8", "-i", str(files["master"]), "-c", "copy", str(d / "cut.mp4"))
    for ext in ("mkv", "ts"):
        _ffmpeg("-ss", "12.5", "-t", "8", "-i", str(files["master"]), "-c", "copy", str(d / f"wrap.{ext}"))
    _ffmpeg("-ss", "6", "-t", "8", "-i", str(files["master"]), "-c:v", "libx264", "-b:v", "300k",
            str(d / "reencoded.mp4"))
    # An MPEG-2 master in Matroska, and 8 s of it from 9 s stream-copied into MPEG-TS.
    _ffmpeg("-i", str(files["master"]), "-c:v", "mpeg2video", "-q:v", "4", "-g", "12", str(d / "mpeg2.mkv"))
    _ffmpeg("-ss", "9", "-t", "8", "-i", str(d / "mpeg2.mkv"), "-c", "copy", str(d / "mpeg2_cut.ts"))
    files.update({p.stem if p.suffix == ".mp4" else p.name: p for p in d.iterdir()})
    return files


@pytest.fixture(scope="module")
def prints(copies, tmp_path_factory):
    """Each master's fingerprints rendition (its files) and probe, made once: every test
    stores its own asset with them (`indexed`)."""
    made = {}
    for name in ("master", "mpeg2.mkv"):
        tmp = tmp_path_factory.mktemp("prints")
        probe = inspect_media(str(copies[name]), timeout=60)
        parts = commands.output_parts(FINGERPRINTS, probe, str(tmp), str(tmp))
        run(commands.one_decode_command(str(copies[name]), probe, parts), timeout=120)
        count = fingerprints.hash_file(parts[0].target, str(tmp / "phash.bin"), aspect=probe.display_aspect,
                                       colour_dst=str(tmp / fingerprints.COLOUR_ENTRY))
        layout = fingerprints.layout(count, FINGERPRINTS.rate, aspect=probe.display_aspect)
        made[name] = (probe.to_dict(), {"phash.bin": (tmp / "phash.bin").read_bytes(),
                                        fingerprints.LAYOUT_ENTRY: json.dumps(layout).encode(),
                                        fingerprints.COLOUR_ENTRY: (tmp / fingerprints.COLOUR_ENTRY).read_bytes()})
    return made


def store_indexed(app, user_id: int, path: Path, technical: dict, files: dict) -> str:
    """Store the master at `path` (its original, and the fingerprints rendition's `files`) in
    `app`'s store as a ready asset of `user_id`, recorded as the fingerprints step records it;
    its id."""
    asset_id = create_asset(app, user_id, data=path.read_bytes(), filename=path.name,
                            renditions={"fingerprints": {"files": files}})
    with app.app_context():
        s = db.session()
        asset = s.get(Asset, asset_id)
        asset.technical = technical
        services.record_fingerprints(s, asset)
        s.commit()
    return asset_id


@pytest.fixture
def indexed(app, copies, prints, people):
    """Store the master `name` as a ready asset (`store_indexed`); its id."""
    def _indexed(name: str) -> str:
        return store_indexed(app, people["producer"], copies[name], *prints[name])
    return _indexed


def _top(client, people, path: Path, asset_id: str) -> dict:
    r = _post(client, path, people["h"], raw=True)
    assert r.status_code == 200, r.get_json()
    matches = r.get_json()["matches"]
    assert matches and matches[0]["asset_id"] == asset_id, (path.name, matches)
    return matches[0]


def test_a_stream_copy_cut_and_rewraps_are_remuxed_a_re_encode_is_not(client, copies, people, indexed):
    asset_id = indexed("master")
    for name, start in (("cut", 6), ("wrap.mkv", 12.5), ("wrap.ts", 12.5)):
        top = _top(client, people, copies[name], asset_id)
        assert top["edits"] == ["remuxed"], (name, top)
        packets = top["packets"]
        # Every packet of the clip is the master's, however the container carries it.
        assert packets["compared"] >= 200 and packets["found"] == packets["compared"], (name, packets)
        assert packets["bytes_found"] == 1.0 and packets["sampled"] is False
        assert abs(top["in"] - start) <= 0.6, (name, top)
    top = _top(client, people, copies["reencoded"], asset_id)
    assert top["edits"] == ["re_encoded"] and top["packets"]["found"] == 0, top


def test_a_stream_copy_of_an_mpeg2_master_is_remuxed(client, copies, people, indexed):
    asset_id = indexed("mpeg2.mkv")
    top = _top(client, people, copies["mpeg2_cut.ts"], asset_id)
    assert top["edits"] == ["remuxed"] and top["packets"]["found"] == top["packets"]["compared"] > 100, top


def test_an_unreadable_original_leaves_the_answer_re_encoded(app, client, copies, people, indexed, caplog):
    asset_id = indexed("master")
    with app.app_context():
        path = storage().local_path(db.session().get(Asset, asset_id).original_key)
    Path(path).write_bytes(b"\x00not a video any more\n" * 1000)  # as bit rot would leave it (fixity's to find)
    with caplog.at_level(logging.WARNING, logger="archive.provenance.remux"):
        top = _top(client, people, copies["cut"], asset_id)
    assert top["edits"] == ["re_encoded"] and top["packets"] is None, top
    assert "remux check" in caplog.text and asset_id in caplog.text


def test_the_check_can_be_turned_off(app, client, copies, people, indexed):
    asset_id = indexed("master")
    app.config["LOOKUP_REMUX_SECONDS"] = 0
    top = _top(client, people, copies["cut"], asset_id)
    assert top["edits"] == ["re_encoded"] and top["packets"] is None
