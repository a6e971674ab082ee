"""HDR masters through the real renderer: one picture as SDR BT.709 and as HEVC Main 10 BT.2020
PQ and HLG; the previews of the HDR masters must look like the SDR one's.

The HDR masters are made from the SDR clip the way a grade is delivered (ITU-R BT.2408: SDR
white at 203 cd/m²): zimg linearises the BT.709 picture and re-encodes it as BT.2020 PQ or
HLG, x265 Main 10 writes it with its VUI tags. The looks are compared on the poster and on a
frame of the proxy with Pillow: mean luma, 95th percentile luma and mean HSV saturation.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat

from archive.media.probe import inspect_media
from archive.media.profiles import POSTER, VIDEO_PROXY
from archive.media.render import render

TIMEOUT = 120
SIZE = "320x180"
# How far a preview of the HDR master may be from the SDR one's (fractions of the SDR value).
# Measured (poster and proxy frame): tone-mapped, mean luma +1…+2 %, 95th percentile −3…−4 %
# (the roll-off keeps headroom for highlights up to the assumed 1000 cd/m²), saturation
# −4…−6 % (x265 and two colour conversions); shown as it is, PQ −11 % / −34 % / −54 % and
# HLG +1 % / −17 % / −38 %.
TOLERANCE = {"luma": 0.05, "luma_p95": 0.08, "saturation": 0.10}


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_sdr_master(out):
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=25:duration=2", "-c:v", "libx264", "-preset",
            "ultrafast", "-pix_fmt", "yuv420p", "-color_primaries", "bt709", "-color_trc", "bt709",
            "-colorspace", "bt709", str(out))


def make_hdr_master(sdr, out, transfer: str):
    """The SDR picture as HEVC Main 10 BT.2020 with the `transfer` (smpte2084 or arib-std-b67)."""
    _ffmpeg("-i", str(sdr), "-vf",
            "zscale=t=linear,format=gbrpf32le,"
            f"zscale=p=bt2020:t={transfer}:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-profile:v", "main10",
            "-x265-params", f"log-level=error:colorprim=bt2020:transfer={transfer}:colormatrix=bt2020nc:range=limited",
            "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc", "-tag:v", "hvc1",
            str(out))


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    d = tmp_path_factory.mktemp("hdr")
    sdr = d / "sdr.mp4"
    make_sdr_master(sdr)
    pq, hlg = d / "pq.mp4", d / "hlg.mp4"
    make_hdr_master(sdr, pq, "smpte2084")
    make_hdr_master(sdr, hlg, "arib-std-b67")
    return {"sdr": sdr, "pq": pq, "hlg": hlg}


def looks(path) -> dict[str, float]:
    with Image.open(path) as im:
        rgb = im.convert("RGB")
    luma = rgb.convert("L")
    histogram = luma.histogram()
    total, seen, p95 = sum(histogram), 0, 0
    for level, count in enumerate(histogram):
        seen += count
        if seen >= 0.95 * total:
            p95 = level
            break
    return {"luma": ImageStat.Stat(luma).mean[0], "luma_p95": float(p95),
            "saturation": ImageStat.Stat(rgb.convert("HSV").split()[1]).mean[0]}


def close_to(got: dict, want: dict) -> list[str]:
    """What is outside the tolerance (empty when the picture looks like the reference)."""
    misses = []
    for key, tolerance in TOLERANCE.items():
        if abs(got[key] - want[key]) > tolerance * want[key]:
            misses.append(f"{key} {got[key]:.1f} vs {want[key]:.1f}")
    return misses


def _poster(src, dst, probe):
    render(POSTER, str(src), str(dst), probe=probe, timeout=TIMEOUT)
    return looks(dst)


def _proxy_frame(src, proxy, frame, probe):
    render(VIDEO_PROXY, str(src), str(proxy), probe=probe, timeout=TIMEOUT)
    _ffmpeg("-ss", "1", "-i", str(proxy), "-frames:v", "1", str(frame))
    return looks(frame)


def ffprobe_video(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-print_format",
                          "json", str(path)], check=True, capture_output=True).stdout
    return json.loads(out)["streams"][0]


@pytest.fixture(scope="module")
def sdr_looks(masters, tmp_path_factory):
    d = tmp_path_factory.mktemp("sdr-out")
    probe = inspect_media(str(masters["sdr"]), timeout=TIMEOUT)
    assert probe.hdr is None
    return {"poster": _poster(masters["sdr"], d / "poster.jpg", probe),
            "proxy": _proxy_frame(masters["sdr"], d / "proxy.mp4", d / "frame.png", probe)}


@pytest.mark.parametrize("kind, transfer", [("pq", "smpte2084"), ("hlg", "arib-std-b67")])
def test_hdr_previews_look_like_the_sdr_picture(masters, sdr_looks, tmp_path, kind, transfer):
    probe = inspect_media(str(masters[kind]), timeout=TIMEOUT)
    assert (probe.hdr, probe.color_transfer, probe.color_primaries, probe.bit_depth) == (kind, transfer, "bt2020", 10)
    assert probe.to_dict()["hdr"] == kind

    poster = _poster(masters[kind], tmp_path / "poster.jpg", probe)
    assert close_to(poster, sdr_looks["poster"]) == [], (poster, sdr_looks["poster"])
    with Image.open(tmp_path / "poster.jpg") as im:
        assert im.size == (320, 180)

    proxy = tmp_path / "proxy.mp4"
    frame = _proxy_frame(masters[kind], proxy, tmp_path / "frame.png", probe)
    assert close_to(frame, sdr_looks["proxy"]) == [], (frame, sdr_looks["proxy"])
    video = ffprobe_video(proxy)
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["color_primaries"], video["color_transfer"], video["color_space"], video["color_range"]) == \
           ("bt709", "bt709", "bt709", "tv")


@pytest.mark.parametrize("kind", ["pq", "hlg"])
def test_without_tone_mapping_the_same_check_fails(masters, sdr_looks, tmp_path, kind):
    """The check above can fail: the master rendered as if it were SDR is far off."""
    probe = inspect_media(str(masters[kind]), timeout=TIMEOUT)
    as_sdr = dataclasses.replace(probe, hdr=None, color_primaries=None, color_transfer=None, color_space=None)
    poster = _poster(masters[kind], tmp_path / "poster.jpg", as_sdr)
    misses = close_to(poster, sdr_looks["poster"])
    assert any(m.startswith("saturation") for m in misses) and any(m.startswith("luma_p95") for m in misses), poster


def test_sdr_proxy_is_tagged_as_what_it_is(masters, tmp_path):
    probe = inspect_media(str(masters["sdr"]), timeout=TIMEOUT)
    render(VIDEO_PROXY, str(masters["sdr"]), str(tmp_path / "p.mp4"), probe=probe, timeout=TIMEOUT)
    video = ffprobe_video(tmp_path / "p.mp4")
    assert (video["color_primaries"], video["color_transfer"], video["color_space"], video["pix_fmt"]) == \
           ("bt709", "bt709", "bt709", "yuv420p")


@pytest.mark.parametrize("size, matrix", [("320x180", "bt709"), ("720x576", "bt470bg")])
def test_posters_keep_the_colours_of_the_frame(tmp_path, size, matrix):
    """JPEG stores BT.601 full-range YCbCr: an HD (BT.709) or SD (BT.601) frame keeps its colours."""
    src = tmp_path / "src.mp4"
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration=1", "-vf",
            f"scale=out_color_matrix={'bt709' if matrix == 'bt709' else 'bt601'}:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-colorspace", matrix, "-color_range", "tv",
            str(src))
    truth = tmp_path / "truth.png"
    _ffmpeg("-ss", "0.1", "-i", str(src), "-frames:v", "1", "-vf",
            f"zscale=min={matrix}:rin=tv:m=gbr:r=pc,format=gbrp", str(truth))
    probe = inspect_media(str(src), timeout=TIMEOUT)
    poster = tmp_path / "poster.jpg"
    render(POSTER, str(src), str(poster), probe=dataclasses.replace(probe, duration=1.0),
           timeout=TIMEOUT)
    with Image.open(truth) as a, Image.open(poster) as b:
        error = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB").resize(a.size))).mean
    assert max(error) < 6, error  # BT.709 YCbCr written as it is: red off by about 15
