"""Packet hashes without decoding (archive.media.packets): the command as data, framemd5
parsed, the overlap counted as a multiset; and, on real ffmpeg, the same H.264 and HEVC
pictures hashing alike in MP4, Matroska and MPEG-TS once normalised (and not before)."""
from __future__ import annotations

import subprocess

import pytest

from archive.media import packets
from archive.media.runner import run

FRAMEMD5 = """#format: frame checksums
#version: 2
#hash: MD5
#tb 0: 1/12800
#media_type 0: video
#codec_id 0: h264
#dimensions 0: 320x180
#sar 0: 1/1
#stream#, dts,        pts, duration,     size, hash
0,     -32256,     -32256,      512,     8689, 2466D40E37D190956A711451AD7F3E1B
0,     -31744,     -31232,      512,     2823, 5b2a56eacd8ffca2beeb3137edc0a176
0,     -31232,     -31744,      512,       12, f56c44179dc56724deb2648e13236a50, side_data 1, 0123
"""


def test_the_command_seeks_reads_a_span_copies_and_normalises():
    assert packets.hash_command("/a/-master.mp4", codec="h264", stream=2, start=7.25, seconds=12.5) == [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-ss", "7.250", "-t", "12.500",
        "-i", "file:/a/-master.mp4", "-map", "0:2", "-c", "copy",
        "-bsf:v", "h264_mp4toannexb,filter_units=pass_types=1-5", "-f", "framemd5", "pipe:1"]
    # Other codecs as they are; a URL as it is; no seek at 0.
    argv = packets.hash_command("https://s3/x?sig=1", codec="mpeg2video", start=0)
    assert "-bsf:v" not in argv and "-ss" not in argv and "https://s3/x?sig=1" in argv and "0:v:0" in argv


def test_framemd5_is_parsed_with_its_times():
    found = packets.parse_framemd5(FRAMEMD5)
    assert [p.size for p in found.packets] == [8689, 2823, 12]
    assert found.packets[0].md5 == "2466d40e37d190956a711451ad7f3e1b"  # case folded
    assert found.first == pytest.approx(-32256 / 12800) and found.last == pytest.approx(-30720 / 12800)


@pytest.mark.parametrize("text", ["", "#tb 0: 1/25\n", "0, 1, 1, 1, 10, abc\n#tb 0: 1/25\n", "0, 1\n"])
def test_what_is_not_framemd5_is_refused(text):
    with pytest.raises(ValueError):
        packets.parse_framemd5(text)


def test_the_overlap_counts_each_master_packet_once():
    a, b, tiny = packets.Packet("a" * 32, 1000), packets.Packet("b" * 32, 900), packets.Packet("c" * 32, 10)
    o = packets.overlap([a, b, tiny, tiny, tiny], [a, tiny])
    assert (o.packets, o.found, o.bytes, o.bytes_found) == (5, 2, 1930, 1010)
    assert o.share == 0.4 and o.bytes_share == pytest.approx(1010 / 1930)
    assert packets.overlap([], [a]).share == 0.0


def _ffmpeg(*args):
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


@pytest.mark.parametrize("codec, encoder", [("h264", ["libx264", "-preset", "ultrafast"]),
                                            ("hevc", ["libx265", "-preset", "ultrafast", "-x265-params",
                                                      "log-level=error"])])
def test_a_rewrap_hashes_alike_once_normalised(tmp_path, codec, encoder):
    master = tmp_path / "master.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=128x72:r=25", "-t", "4", "-c:v", *encoder, "-g", "25", str(master))

    def hashes(path, normalise=codec):
        argv = packets.hash_command(str(path), codec=normalise)
        return packets.parse_framemd5(run(argv, timeout=30, capture_stdout=True).stdout.decode()).packets

    whole = hashes(master)
    for ext in ("mkv", "ts"):
        _ffmpeg("-ss", "1", "-t", "2", "-i", str(master), "-c", "copy", str(tmp_path / f"cut.{ext}"))
        cut = hashes(tmp_path / f"cut.{ext}")
        assert len(cut) >= 45 and packets.overlap(cut, whole).share == 1.0, ext
    # Not normalised, MPEG-TS's start codes and delimiters make other bytes.
    assert packets.overlap(hashes(tmp_path / "cut.ts", "none"), hashes(master, "none")).found == 0
