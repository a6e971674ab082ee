"""Fingerprints: the hashing branch of the renditions' one decode (as data, then run, single
pass and chunked), pHash of grey frames, flat frames, and how a query clip is sampled."""
from __future__ import annotations

import dataclasses
import os
import subprocess

import numpy as np
import pytest

from archive.media import commands, fingerprints, render
from archive.media.probe import inspect_media
from archive.media.profiles import FINGERPRINTS, POSTER, VIDEO_PROXY, renditions_for
from archive.media.runner import run
from archive.provenance.index import popcount64
from tests.unit.media.test_player_renditions import _probe

TIMEOUT = 120


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _grey_frames(src, dst, chain: str = ""):
    """The frames of `src` as the index takes them (1 a second, 64 × 64, their grey), after
    `chain` (an ffmpeg picture chain: a crop, a cut), read from `dst`."""
    run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-vf",
         f"{chain + ',' if chain else ''}{commands.fingerprint_filter(1, 64, hold_last=False)}", "-f", "rawvideo",
         str(dst)], timeout=TIMEOUT)
    return fingerprints.read_frames(str(dst))


@pytest.fixture(scope="module")
def moving(tmp_path_factory):
    """14 s of a game of life, 320×180, 25 fps: every second looks different."""
    out = tmp_path_factory.mktemp("fp") / "life.mp4"
    _ffmpeg("-f", "lavfi", "-i", "life=s=40x24:r=25:seed=7:ratio=0.4:mold=10,scale=320:180:flags=neighbor,format=yuv420p",
            "-t", "14", "-c:v", "libx264", "-preset", "ultrafast", str(out))
    return out


def test_videos_get_fingerprints_and_audio_does_not():
    assert FINGERPRINTS in renditions_for("video") and FINGERPRINTS not in renditions_for("audio")
    assert FINGERPRINTS.renderer == "ffmpeg" and FINGERPRINTS.entry == "phash.bin"


def test_the_hashing_branch_is_one_more_output_of_the_one_command():
    probe = _probe(1920, 1080)
    parts = [*commands.output_parts(VIDEO_PROXY, probe, "/out/proxy", "/scratch"),
             *commands.output_parts(FINGERPRINTS, probe, "/out/fingerprints", "/scratch")]
    cmd = commands.one_decode_command("/in.mp4", probe, parts)
    assert cmd.count("-i") == 1  # one decode
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert "split=2" in graph
    assert "[s1]fps=1:eof_action=pass,scale=64:64:flags=area:out_range=pc,format=yuv444p[v1]" in graph
    tail = cmd[cmd.index("[v1]") - 1:]
    assert tail == ["-map", "[v1]", "-frames:v", "100", "-an", "-sn", "-dn", "-c:v", "rawvideo", "-f", "rawvideo",
                    "file:/scratch/fingerprint.yuv"]
    audio_only = dataclasses.replace(_probe(640, 360, audio=("tur",)), video_codec=None)
    with pytest.raises(ValueError):
        commands.output_parts(FINGERPRINTS, audio_only, "/o", "/s")


def test_one_decode_hashes_one_frame_a_second(moving, tmp_path):
    probe = inspect_media(str(moving), timeout=TIMEOUT)
    jobs = [(POSTER, str(tmp_path / "poster")), (FINGERPRINTS, str(tmp_path / "fingerprints"))]
    for _p, folder in jobs:
        os.makedirs(folder)
    render.FfmpegRenderer().render(jobs, str(moving), probe=probe, timeout=TIMEOUT)
    stored = fingerprints.from_bytes((tmp_path / "fingerprints" / "phash.bin").read_bytes())
    assert len(stored) == 14 * FINGERPRINTS.planes  # whole frames, each centre crop, each cut
    planes = fingerprints.to_planes(stored, 14)
    assert (tmp_path / "poster" / "poster.jpg").stat().st_size > 0
    centre, cut = planes[:1 + len(FINGERPRINTS.crops)], fingerprints.cut_rows(planes)
    for plane in centre:
        assert len(set(plane.tolist())) >= 12 and fingerprints.NO_HASH not in plane
    # A 5:3 picture (320×180 of 300×180 shown: the 40×24 world's shape): cut to 4:3 and to 9:16,
    # nothing for 16:9, which it nearly has.
    assert probe.display_aspect == pytest.approx(5 / 3) and FINGERPRINTS.cuts == (16 / 9, 4 / 3, 9 / 16) and set(cut[0].tolist()) == {fingerprints.NO_HASH}
    for plane in cut[1:]:  # a third of the width holds less of what moves: 10 of 14 differ
        assert len(set(plane.tolist())) >= 10 and fingerprints.NO_HASH not in plane
    # The same frames decoded alone hash the same: the branch is the fingerprint, not an approximation.
    assert fingerprints.master_planes(_grey_frames(moving, tmp_path / "alone.gray"), 5 / 3).tolist() == planes.tolist()


def test_a_chunked_make_hashes_like_a_single_pass(moving, tmp_path):
    probe = inspect_media(str(moving), timeout=TIMEOUT)
    made = {}
    for label, chunk in (("single", None), ("chunked", 2)):
        folder = tmp_path / label
        jobs = [(VIDEO_PROXY, str(folder / "proxy")), (FINGERPRINTS, str(folder / "fingerprints"))]
        for _p, f in jobs:
            os.makedirs(f)
        render.FfmpegRenderer().render(jobs, str(moving), probe=probe, timeout=TIMEOUT, chunk_seconds=chunk)
        made[label] = fingerprints.from_bytes((folder / "fingerprints" / "phash.bin").read_bytes())
    assert len(made["chunked"]) == len(made["single"]) == 14 * FINGERPRINTS.planes
    # Chunks start on keyframes at whole seconds: the same instants are hashed.
    assert int(popcount64(made["chunked"] ^ made["single"]).max()) <= 4


def test_flat_frames_have_no_hash_and_mirroring_changes_it():
    rng = np.random.default_rng(1)
    frames = np.zeros((3, 32, 32), dtype=np.uint8)
    frames[1] = 200  # a white card
    frames[2] = (rng.random((32, 32)) * 255).astype(np.uint8)
    frames[2, :, :16] //= 3  # darker left half: not symmetric
    hashes = fingerprints.phash64(frames)
    assert hashes[0] == hashes[1] == fingerprints.NO_HASH and hashes[2] != fingerprints.NO_HASH
    flipped = fingerprints.phash64(fingerprints.mirrored(frames[2:]))[0]
    assert int(popcount64(np.array([flipped ^ hashes[2]], dtype=np.uint64))[0]) > 10
    assert fingerprints.phash64(fingerprints.mirrored(fingerprints.mirrored(frames[2:])))[0] == hashes[2]
    assert fingerprints.from_bytes(fingerprints.to_bytes(hashes)).tolist() == hashes.tolist()
    with pytest.raises(ValueError):
        fingerprints.from_bytes(b"1234567")


def test_a_long_query_is_sampled_and_a_short_one_read_whole():
    assert fingerprints.sample_windows(14.5, whole_up_to=120, window=20, count=4) == [fingerprints.Window(0.0, 14.5)]
    two_hours = fingerprints.sample_windows(7200, whole_up_to=120, window=20, count=4)
    assert [w.start for w in two_hours] == [0.0, 2393.333, 4786.667, 7180.0]
    assert sum(w.seconds for w in two_hours) == 80 and all(w.start + w.seconds <= 7200 for w in two_hours)
    cmd = fingerprints.query_command("/q.mp4", _probe(640, 360), two_hours[:2], ["/s/q0", "/s/q1"])
    # Each window is an input of its own, seeking before `-i`: only the window is read.
    assert cmd[cmd.index("-t"):cmd.index("-t") + 4] == ["-t", "20.000", "-i", "file:/q.mp4"]
    assert cmd[cmd.index("-ss"):cmd.index("-ss") + 6] == ["-ss", "2393.333", "-t", "20.000", "-i", "file:/q.mp4"]
    assert cmd.count("-i") == 2
    graph = cmd[cmd.index("-filter_complex") + 1].split(";")
    assert graph == [f"[{k}:0]fps=2,scale=64:64:flags=area:out_range=pc,format=yuv444p[q{k}]" for k in range(2)]
    with pytest.raises(ValueError):
        fingerprints.query_command("/q.mp4", _probe(640, 360), two_hours, ["/s/q0"])


def test_a_cropped_and_enlarged_frame_is_close_to_its_crop_plane(moving, tmp_path):
    """A query cut to its centre 90 % and blown up again (what a reframe for social media
    does) lies closer to the master's 90 % crop plane than to its whole frame."""
    master = fingerprints.planes(_grey_frames(moving, tmp_path / "frames.gray"))
    assert master.shape == (3, 14)
    query = fingerprints.frame_hashes(_grey_frames(moving, tmp_path / "cropped.gray", "crop=iw*0.9:ih*0.9"))
    to_whole = popcount64(query ^ master[0]).mean()
    to_crop = popcount64(query ^ master[1]).mean()
    assert to_crop < to_whole - 2


def test_centre_crops_and_planes_as_data():
    frames = np.arange(2 * 64 * 64, dtype=np.uint32).reshape(2, 64, 64).astype(np.uint8)
    crop = fingerprints.centre_crop(frames, 0.9)
    assert crop.shape == (2, 58, 58) and (crop[:, 0, 0] == frames[:, 3, 3]).all()
    assert fingerprints.centre_crop(frames, 1.0) is frames
    with pytest.raises(ValueError):
        fingerprints.centre_crop(frames, 0)
    flat = np.arange(1, 13, dtype=np.uint64)
    assert fingerprints.to_planes(flat, 4).tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
    assert fingerprints.to_planes(flat, 5).shape == (1, 12)  # not whole planes: one (an old file)
    assert fingerprints.planes(np.zeros((0, 64, 64), dtype=np.uint8)).shape == (3, 0)


@pytest.mark.parametrize("crop", ["crop=iw*0.9:ih*0.9:0:0", "crop=iw*0.9:ih*0.9:iw*0.1:ih*0.1",
                                  "crop=iw*0.9:ih:0:0", "crop=iw:ih*0.9:0:ih*0.1"])
def test_an_off_centre_crop_is_close_to_its_master_through_a_view(moving, tmp_path, crop):
    """A crop that keeps an edge (a corner's or a side's 90 %) is no centre crop: its whole
    frame lies far from every plane of its master, one of its off-centre views close to the
    master's centre crop (what the vote and the verification then align on)."""
    master = fingerprints.planes(_grey_frames(moving, tmp_path / "frames.gray"))
    query = fingerprints.query_planes(_grey_frames(moving, tmp_path / "cropped.gray", crop))
    assert query.shape == (3 + len(fingerprints.VIEWS), master.shape[1])
    whole = min(popcount64(query[0] ^ plane).mean() for plane in master)
    views = fingerprints.view_rows(query)
    best_view = min(popcount64(view ^ plane).mean() for view in views for plane in master[1:])
    assert best_view < whole - 2, (best_view, whole)


@pytest.mark.parametrize("crop", ["crop=iw*0.95:ih*0.95:0:0", "crop=iw*0.95:ih*0.95:iw*0.05:ih*0.05",
                                  "crop=iw*0.95:ih:iw*0.05:0", "crop=iw:ih*0.95:0:0"])
def test_a_five_percent_crop_lies_closest_to_the_90_percent_plane_through_its_view(moving, tmp_path, crop):
    """A 5 % crop that keeps an edge stays near the master's whole frame (the search finds it
    there) but one of its near views (VIEWS after the first SEARCH_VIEWS) is the master's
    centre 90 % again: aligned on that plane it lies closer than any centre plane pair."""
    master = fingerprints.planes(_grey_frames(moving, tmp_path / "frames.gray"))
    query = fingerprints.query_planes(_grey_frames(moving, tmp_path / "cropped.gray", crop))
    assert len(fingerprints.VIEWS) == len(fingerprints.VIEW_PLANES) == 16 and fingerprints.SEARCH_VIEWS == 8
    centre = min(np.mean([popcount64(query[k] ^ master[k + shift]).mean() for k in range(3 - shift)])
                 for shift in range(3))
    near = fingerprints.view_rows(query)[fingerprints.SEARCH_VIEWS:]
    best = min(popcount64(view ^ master[1]).mean() for view in near)
    assert best < centre - 2, (best, centre)


@pytest.mark.parametrize("cut", ["crop=ih*4/3:ih,scale=320:240", "crop=trunc(ih*9/32)*2:ih,scale=180:320"])
def test_a_cut_to_another_shape_is_close_to_the_masters_cut_plane(moving, tmp_path, cut):
    """The master (shown 5:3) cut at its centre to 4:3 or to a vertical 9:16 and scaled as
    a channel or an app would: its whole frame lies far from every centre plane and view of
    its master (no crop holds all of the height with part of the width) and close to the
    master's cut to that shape."""
    probe = inspect_media(str(moving), timeout=TIMEOUT)
    master = fingerprints.master_planes(_grey_frames(moving, tmp_path / "frames.gray"), probe.display_aspect)
    query = fingerprints.query_planes(_grey_frames(moving, tmp_path / "cut.gray", cut))
    centre = master[:3]
    elsewhere = min([popcount64(row ^ plane).mean() for row in fingerprints.plane_rows(query) for plane in centre]
                    + [popcount64(view ^ centre[p]).mean()  # each view as the verification aligns it
                       for view, p in zip(fingerprints.view_rows(query), fingerprints.VIEW_PLANES)])
    shape = 1 if "4/3" in cut else 2  # the cut planes: 16:9 (empty here), 4:3, 9:16
    on_cut = popcount64(query[0] ^ fingerprints.cut_rows(master)[shape]).mean()
    assert on_cut <= 8 and on_cut < elsewhere - 6, (on_cut, elsewhere)


def test_cut_shapes_and_the_layout_file():
    assert fingerprints.cut_shape(16 / 9, 4 / 3) == (0.75, 1.0)
    assert fingerprints.cut_shape(4 / 3, 16 / 9) == (1.0, 0.75)
    assert fingerprints.cut_shape(16 / 9, 9 / 16) == pytest.approx((0.3164, 1.0), abs=1e-4)
    # A shape the picture has (or nearly: 1.85 film in 16:9 keeps 96 %) is no cut; nor is an unknown one.
    assert fingerprints.cut_shape(16 / 9, 16 / 9) is None and fingerprints.cut_shape(1.85, 16 / 9) is None
    assert fingerprints.cut_shape(None, 4 / 3) is None and fingerprints.cut_shape(0, 4 / 3) is None
    with pytest.raises(ValueError):
        fingerprints.cut_shape(16 / 9, 0)
    frames = np.random.default_rng(3).integers(0, 256, (4, 64, 64), dtype=np.uint8)
    cuts = fingerprints.cuts(frames, 4 / 3)
    assert cuts.shape == (3, 4) and (cuts[1] == fingerprints.NO_HASH).all() and (cuts[[0, 2]] != 0).all()
    assert (fingerprints.cuts(frames, None) == fingerprints.NO_HASH).all()
    assert fingerprints.master_planes(frames, 4 / 3).shape == (6, 4)
    assert fingerprints.cut_rows(fingerprints.planes(frames)).shape == (0, 4)  # hashed before cuts
    layout = fingerprints.layout(40, 1, aspect=16 / 9)
    assert layout["count"] == 40 and len(layout["planes"]) == FINGERPRINTS.planes == 6
    assert [p["kind"] for p in layout["planes"]] == ["whole", "crop", "crop", "cut", "cut", "cut"]
    assert layout["planes"][3]["width"] is None and layout["planes"][4]["width"] == 0.75


def test_crops_are_placed_by_their_anchor():
    frames = np.arange(2 * 64 * 64, dtype=np.uint32).reshape(2, 64, 64).astype(np.uint8)
    assert (fingerprints.crop(frames, (0.9, 0.9), (0.5, 0.5)) == fingerprints.centre_crop(frames, 0.9)).all()
    top_left, bottom_right = fingerprints.crop(frames, (0.9, 0.9), (0, 0)), fingerprints.crop(frames, (0.9, 0.9), (1, 1))
    assert top_left.shape == bottom_right.shape == (2, 58, 58)
    assert (top_left[:, 0, 0] == frames[:, 0, 0]).all() and (bottom_right[:, -1, -1] == frames[:, -1, -1]).all()
    side = fingerprints.crop(frames, (0.9, 0.8), (1, 0.5))
    assert side.shape == (2, 51, 58) and (side[:, 0, -1] == frames[:, 6, 63]).all()
    with pytest.raises(ValueError):
        fingerprints.crop(frames, (0.9, 0), (0, 0))
    for anchor in ((-0.1, 0), (0, 1.5)):
        with pytest.raises(ValueError):
            fingerprints.crop(frames, (0.9, 0.9), anchor)
    assert fingerprints.views(frames).shape == (len(fingerprints.VIEWS), 2)
    assert fingerprints.views(frames[:0]).shape == (len(fingerprints.VIEWS), 0)
    assert fingerprints.query_planes(frames[:0]).shape == (3 + len(fingerprints.VIEWS), 0)
    assert fingerprints.view_rows(fingerprints.planes(frames)).shape == (0, 2)


def test_a_logo_in_a_corner_leaves_the_hash_alone():
    """The corners are left out of every hash: a channel's white plate in the top right
    corner moves the plain pHash of a picture, not the hash the index and queries take."""
    y, x = np.mgrid[0:64, 0:64]
    frames = (90 + 40 * np.sin(x / 9.0) + 30 * np.cos(y / 13.0 + 1))[None].astype(np.uint8)  # smooth, 64 × 64
    logo = frames.copy()
    logo[:, 3:10, 51:61] = 255  # 80–96 % of the width, 5–15 % of the height
    plain = int(popcount64(fingerprints.phash64(frames) ^ fingerprints.phash64(logo))[0])
    masked = int(popcount64(fingerprints.frame_hashes(frames) ^ fingerprints.frame_hashes(logo))[0])
    assert masked == 0 < plain
    corners = fingerprints.mask_corners(frames)
    assert (corners[:, :13, :16] == corners[0, 0, 0]).all() and (corners[:, 20:40, 20:40] == frames[:, 20:40, 20:40]).all()
    assert fingerprints.mask_corners(frames, (0, 0)) is frames
    with pytest.raises(ValueError):
        fingerprints.mask_corners(frames, (0.6, 0.2))


@pytest.mark.parametrize("source, codec", [
    ("mandelbrot=s=320x180:r=25,format=yuv420p", ["-c:v", "libx264", "-preset", "ultrafast"]),
    ("testsrc2=s=320x180:r=25,format=yuvj420p", ["-c:v", "mjpeg", "-q:v", "3"]),
    ("mandelbrot=s=320x180:r=25,format=yuv420p10le", ["-c:v", "libx264", "-preset", "ultrafast"]),
    ("testsrc2=s=320x180:r=25,format=rgb24", ["-c:v", "png"]),
    ("testsrc2=s=320x180:r=25,format=yuv422p", ["-c:v", "prores_ks"]),
])
def test_the_decoded_y_plane_is_the_grey_the_hashes_were_calibrated_on(tmp_path, source, codec):
    """The frames hashed come as full-range YCbCr so that colour can be read beside the hash;
    their Y plane must be, byte for byte, what `format=gray` gave (the hashes of v4 stay
    valid): 8- and 10-bit, limited- and full-range, RGB and 4:2:2 sources."""
    src = tmp_path / "src.mov"
    _ffmpeg("-f", "lavfi", "-i", source, "-t", "3", *codec, str(src))
    grey, yuv = tmp_path / "grey.raw", tmp_path / "yuv.raw"
    _ffmpeg("-i", str(src), "-vf", "fps=1:eof_action=pass,scale=64:64:flags=area,format=gray", "-f", "rawvideo",
            str(grey))
    _ffmpeg("-i", str(src), "-vf", commands.fingerprint_filter(1, 64), "-f", "rawvideo", str(yuv))
    picture = fingerprints.read_picture(str(yuv))
    assert picture.shape == (3, 3, 64, 64)
    assert np.array_equal(np.fromfile(grey, dtype=np.uint8).reshape(3, 64, 64), picture[:, 0])
    assert np.array_equal(fingerprints.read_frames(str(yuv)), picture[:, 0])


def test_a_region_s_colour_is_its_mean_y_cb_cr_without_its_corners():
    picture = np.zeros((2, 3, 64, 64), dtype=np.uint8)
    picture[:, 0], picture[:, 1], picture[:, 2] = 100, 90, 200
    picture[1, 0, :8, :8] = 255  # inside the top left corner (of the frame: 16 × 13 pixels; of its left half: 8 × 13)
    picture[1, 0, :, 32:] = 20  # the right half dark
    whole = fingerprints.region_colours(picture)
    assert whole.shape == (2, 3) and whole.dtype == np.uint8
    assert whole[0].tolist() == [100, 90, 200]
    assert whole[1].tolist() == [60, 90, 200]  # the corners are alike left and right: half and half
    whole_frame = (100 * (2048 - 64) + 255 * 64 + 20 * 2048) / 4096  # corners kept: the white patch counts
    assert fingerprints.region_colours(picture, corners=(0, 0))[1, 0] == round(whole_frame)
    left = fingerprints.region_colours(picture, (0.5, 1.0), (0.0, 0.5))
    right = fingerprints.region_colours(picture, (0.5, 1.0), (1.0, 0.5))
    assert left[1].tolist() == [100, 90, 200] and right[1].tolist() == [20, 90, 200]
    rows = fingerprints.colours(picture, fingerprints.master_regions(16 / 9))
    assert rows.shape == (6, 2, 3)
    assert not rows[3].any()  # a 16:9 picture has no 16:9 cut: no colour either
    assert rows[5, 1].tolist() == [60, 90, 200]  # the 9:16 cut: the middle third, half light, half dark
def test_colours_travel_as_bytes_row_for_row():
    values = np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3)
    assert np.array_equal(fingerprints.colours_from_bytes(fingerprints.colour_bytes(values), 2), values)
    with pytest.raises(ValueError):
        fingerprints.colours_from_bytes(b"\x00" * 10, 2)
    with pytest.raises(ValueError):
        fingerprints.colours_from_bytes(b"", 0)


def test_the_renditions_write_colours_and_their_layout(moving, tmp_path):
    """One decode gives the hashes and each hashed region's colour, listed in the layout."""
    probe = inspect_media(str(moving), timeout=TIMEOUT)
    parts = commands.output_parts(FINGERPRINTS, probe, str(tmp_path), str(tmp_path))
    run(commands.one_decode_command(str(moving), probe, parts), timeout=TIMEOUT)
    count = fingerprints.hash_file(parts[0].target, str(tmp_path / "phash.bin"), aspect=probe.display_aspect,
                                   colour_dst=str(tmp_path / fingerprints.COLOUR_ENTRY))
    colour = fingerprints.colours_from_bytes((tmp_path / fingerprints.COLOUR_ENTRY).read_bytes(), FINGERPRINTS.planes)
    assert colour.shape == (FINGERPRINTS.planes, count, 3) and count == 14
    # The game of life is grey: its colour is grey (Cb = Cr = 128 at full range) on every plane it
    # has; the 16:9 cut of this 16:9 picture (row 3) has none.
    hashed = [0, 1, 2, 4, 5]
    assert (np.abs(colour[hashed, :, 1:].astype(int) - 128) <= 1).all() and colour[hashed, :, 0].std() > 0
    assert not colour[3].any()
    layout = fingerprints.layout(count, 1, aspect=probe.display_aspect)
    assert layout["colour"] == {"entry": fingerprints.COLOUR_ENTRY, "channels": ["Y", "Cb", "Cr"], "range": "full"}
    assert "colour" not in fingerprints.layout(count, 1, aspect=probe.display_aspect, colour=False)


def test_bars_around_a_picture_are_found_in_pairs_and_cut_off():
    rng = np.random.default_rng(5)
    picture = rng.integers(60, 256, (6, 64, 64), dtype=np.uint8)
    boxed = picture.copy()
    boxed[:, :8], boxed[:, -8:] = 16, 0  # letterbox: 8 rows above and below, black with noise
    assert fingerprints.bars(boxed) == (8, 8, 0, 0)
    both = boxed.copy()
    both[:, :, :6], both[:, :, -7:] = 0, 30  # and pillar bars, one a pixel wider than the other
    assert fingerprints.bars(both) == (8, 8, 6, 7)
    cut = fingerprints.unbarred(np.stack([both, both, both], axis=1), fingerprints.bars(both))
    assert cut.shape == (6, 3, 48, 51) and (cut[:, 0] == picture[:, 8:56, 6:57]).all()
    # No bars: a picture, a dark edge on one side only (its own night sky), bars too far apart
    # in size, bars of one pixel, bars leaving less than half, a clip dark all over.
    assert fingerprints.bars(picture) == (0, 0, 0, 0)
    sky = picture.copy()
    sky[:, :10] = 5
    assert fingerprints.bars(sky) == (0, 0, 0, 0)
    skewed = picture.copy()
    skewed[:, :4], skewed[:, -9:] = 0, 0
    assert fingerprints.bars(skewed) == (0, 0, 0, 0)
    thin = picture.copy()
    thin[:, :1], thin[:, -1:] = 0, 0
    assert fingerprints.bars(thin) == (0, 0, 0, 0)
    narrow = picture.copy()
    narrow[:, :17], narrow[:, -17:] = 0, 0
    assert fingerprints.bars(narrow) == (0, 0, 0, 0)
    assert fingerprints.bars(np.zeros((3, 64, 64), dtype=np.uint8)) == (0, 0, 0, 0)
    # A bar row lit in one frame only is no bar: bars are dark over the whole clip.
    lit = boxed.copy()
    lit[2, 3] = 200
    assert fingerprints.bars(lit) == (0, 0, 0, 0)
    assert fingerprints.bars(np.zeros((0, 64, 64), dtype=np.uint8)) == (0, 0, 0, 0)
