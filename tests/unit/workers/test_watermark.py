"""Watermarks on previews: burned into proxy, poster, HLS and storyboard, per organisation,
never into the original; a change re-makes only the renditions whose spec hash it changes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from archive import db
from archive.assets.models import Asset
from archive.backends import storage
from archive.ingest.pipeline import process_asset, run_one_step
from archive.media import commands
from archive.media.profiles import POSTER, VIDEO_PROXY, WAVEFORM, renditions_for, spec_hash
from tests.unit.media.test_commands import HD


def test_the_watermark_is_a_drawtext_after_the_colour_work_with_the_text_escaped():
    marked = dataclasses.replace(VIDEO_PROXY, watermark="TRT: 'Ön izleme', [1]; PREVIEW")
    part = commands.output_part(marked, HD, "p.mp4")
    chain = part.video[0]
    assert chain.startswith("scale=1280:720") and chain.index("format=yuv420p") < chain.index("drawtext=")
    assert r"text=TRT\\: \\\'Ön izleme\\\'\, \[1\]\; PREVIEW:" in chain
    assert ":expansion=none:" in chain and ":fontsize=36:" in chain
    # no watermark: the same chain, and the same spec hash, as before watermarks existed
    assert "drawtext" not in commands.output_part(VIDEO_PROXY, HD, "p.mp4").video[0]
    assert spec_hash(marked) != spec_hash(VIDEO_PROXY)
    assert commands.escape_filter_value("a\nb\x00c") == "a b c"


def test_every_picture_preview_carries_it_and_the_waveform_does_not():
    marked = renditions_for("video", watermark="X · PREVIEW")
    assert {p.name: getattr(p, "watermark", None) for p in marked} == {
        "poster": "X · PREVIEW", "proxy": "X · PREVIEW", "hls": "X · PREVIEW", "storyboard": "X · PREVIEW",
        "waveform": None, "fingerprints": None}  # the hashes are of the master's own picture
    assert [spec_hash(p) for p in marked if p.name == "waveform"] == [spec_hash(WAVEFORM)]


def _rows(app, asset_id):
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        return {r.name: (r.prefix, r.spec_hash, r.status) for r in asset.renditions}, asset.organisation.name


def _poster(app, asset_id):
    with app.app_context():
        asset = db.session().get(Asset, asset_id)
        row = next(r for r in asset.renditions if r.name == "poster")
        key = next(f.blob_key for f in row.files if f.path == "poster.jpg")
        with Image.open(storage().local_path(key)) as im:
            return im.convert("RGB").copy()


def test_org_watermark_re_makes_only_the_previews(app, register_file, sample_video, ortak_cli):
    asset_id = register_file(sample_video)
    with app.app_context():
        assert process_asset(asset_id) == "ready"
    before, org = _rows(app, asset_id)
    plain = _poster(app, asset_id)
    with app.app_context():
        original = db.session().get(Asset, asset_id).original_key
        original_bytes = Path(storage().local_path(original)).read_bytes()

    r = ortak_cli("org", "watermark", org)
    assert r.exit_code == 0, r.output
    assert f"watermark '{org} · PREVIEW'" in r.output and "1 asset(s) to re-make" in r.output
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
    after, _ = _rows(app, asset_id)
    changed = {name for name in after if after[name][0] != before[name][0]}
    assert changed == {"poster", "proxy", "hls", "storyboard"}  # the waveform is kept as it was
    assert {s for _p, _h, s in after.values()} == {"ready"}
    marked = _poster(app, asset_id)
    w, h = marked.size
    corner = (w * 2 // 3, h * 4 // 5, w, h)  # bottom right: the text is there, nowhere else
    assert ImageStat.Stat(ImageChops.difference(plain.crop(corner), marked.crop(corner))).mean[0] > 5
    top = (0, 0, w, h // 2)
    assert ImageStat.Stat(ImageChops.difference(plain.crop(top), marked.crop(top))).mean[0] < 1
    with app.app_context():  # the original is never touched
        assert Path(storage().local_path(original)).read_bytes() == original_bytes

    # the same text again: nothing to do; off: the previews are made again without it
    assert "0 asset(s)" in ortak_cli("org", "watermark", org).output
    r = ortak_cli("org", "watermark", org, "--off")
    assert r.exit_code == 0 and "no watermark" in r.output
    with app.app_context():
        assert run_one_step(asset_id, "renditions") == "done"
    final, _ = _rows(app, asset_id)
    assert final["poster"][1] == before["poster"][1] and final["waveform"] == before["waveform"]


@pytest.mark.parametrize("args, message", [
    (["org", "watermark", "No such org"], "No organisation named"),
    (["org", "watermark", "Org TR", "--text", "x" * 121], "1 to 120 printable characters"),
    (["org", "watermark", "Org TR", "--text", "bad\x07bell"], "printable"),
    (["org", "watermark", "Org TR", "--text", "   "], "printable"),
    (["org", "watermark", "Org TR", "--text", "a", "--off"], "exclude each other"),
])
def test_bad_watermarks_are_refused_in_one_line(ortak_cli, make_user, app, args, message):
    make_user("producer", "TR")
    r = ortak_cli(*args)
    assert r.exit_code != 0 and message in r.output and "Traceback" not in r.output
    with app.app_context():
        from archive.accounts.models import Organisation
        assert db.session().query(Organisation).filter_by(name="Org TR").one().preview_watermark is None
