"""The confidence is calibrated on real decodes: an edited copy of an indexed master (logo,
low bit rate, mirrored and cropped) scores above the default threshold, unrelated lavfi
footage of the same kind below it. These fail when the per-frame match probability or the
corner masking drifts (`matching.MATCH_BITS`, `fingerprints.CORNERS`)."""
from __future__ import annotations

import dataclasses
import subprocess

import pytest

from archive.media import commands, fingerprints
from archive.media.probe import inspect_media
from archive.media.profiles import FINGERPRINTS
from archive.media.runner import run
from archive.provenance import lookup
from archive.provenance.index import NumpyHammingIndex

SETTINGS = lookup.Settings()
LOGO = ("drawbox=x=iw*0.80:y=ih*0.05:w=iw*0.16:h=ih*0.10:color=white@0.8:t=fill,"
        "drawbox=x=iw*0.82:y=ih*0.07:w=iw*0.12:h=ih*0.03:color=red:t=fill")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _master(path, base: str, overlay: str, seconds: int = 30) -> None:
    _ffmpeg("-filter_complex", f"{base},scale=320:180,format=yuv420p,hue=h=t*5[b];{overlay},scale=96:54,"
            f"format=yuv420p[o];[b][o]overlay=x=110+90*sin(t*0.3):y=60+50*cos(t*0.2):shortest=1,"
            f"trim=duration={seconds}[v]", "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
            str(path))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("calibration")
    files = {"master": d / "master.mp4", "other": d / "other.mp4", "unrelated": d / "unrelated.mp4"}
    _master(files["master"], "mandelbrot=s=160x90:r=25:maxiter=100:start_x=-0.7436:start_y=0.1318:end_pts=90",
            "testsrc2=s=96x54:r=25")
    _master(files["other"], "life=s=48x27:r=25:seed=11:ratio=0.4:mold=20,scale=160:90,gblur=sigma=4",
            "testsrc2=s=96x54:r=25")
    # Not indexed: another Mandelbrot view under the same test pattern moving on the same path,
    # the look-alike kind that the vote does put forward.
    _master(files["unrelated"], "mandelbrot=s=160x90:r=25:maxiter=100:start_x=-1.25:start_y=0.02:end_pts=90",
            "testsrc2=s=96x54:r=25")
    index = NumpyHammingIndex()
    for key in ("master", "other"):
        probe = inspect_media(str(files[key]), timeout=60)
        parts = commands.output_parts(FINGERPRINTS, probe, str(d), str(d))
        run(commands.one_decode_command(str(files[key]), probe, parts), timeout=120)
        frames = fingerprints.read_frames(parts[0].target)
        index.add(key, fingerprints.planes(frames, FINGERPRINTS.crops, FINGERPRINTS.corners))
    return d, files, index


def _ask(index, path, scratch, settings=SETTINGS):
    query = lookup.hash_query(str(path), inspect_media(str(path), timeout=60), str(scratch), settings, timeout=120)
    return lookup.find(index, query, settings)


@pytest.mark.parametrize("edit", ["logo", "mirror_crop_low_bitrate"])
def test_an_edited_excerpt_scores_above_the_threshold(corpus, edit, tmp_path):
    d, files, index = corpus
    chain = {"logo": [LOGO, "-crf", "30"],
             "mirror_crop_low_bitrate": ["hflip,crop=iw*0.9:ih*0.9,scale=-2:120", "-b:v", "40k"]}[edit]
    query = tmp_path / "query.mp4"
    _ffmpeg("-ss", "11", "-t", "8", "-i", str(files["master"]), "-vf", chain[0], *chain[1:], "-c:v", "libx264",
            str(query))
    found = _ask(index, query, tmp_path)
    assert found, "the edited excerpt was not found"
    top = found[0]
    assert top.key == "master" and abs(top.offset - 11) <= 1.0 and top.mirrored == edit.startswith("mirror")
    assert top.score >= SETTINGS.min_score and not top.tied


def test_unrelated_footage_scores_below_the_threshold(corpus, tmp_path):
    d, files, index = corpus
    query = tmp_path / "query.mp4"
    _ffmpeg("-ss", "5", "-t", "10", "-i", str(files["unrelated"]), "-c:v", "libx264", "-crf", "26", str(query))
    found = _ask(index, query, tmp_path, dataclasses.replace(SETTINGS, min_score=0.0))
    # The vote puts the look-alike master forward; the calibrated confidence keeps it out.
    assert [c.key for c in found][:1] == ["master"]
    assert all(c.score < SETTINGS.min_score for c in found)
    assert _ask(index, query, tmp_path) == []
