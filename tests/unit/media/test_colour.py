"""The colour plan as data: tone-map HDR, convert wide gamut, tag everything as what it is."""
import dataclasses

import pytest

from archive.media import colour, commands
from archive.media.probe import ProbeResult, parse_probe
from archive.media.profiles import POSTER, VIDEO_PROXY
from tests.unit.media.test_streams import recorded


def _after(cmd, flag):
    return cmd[cmd.index(flag) + 1]


def _tags(cmd):
    return tuple(_after(cmd, f) for f in ("-color_primaries", "-color_trc", "-colorspace", "-color_range"))


def _video(**stream) -> ProbeResult:
    base = {"index": 0, "codec_type": "video", "codec_name": "hevc", "width": 1920, "height": 1080,
            "pix_fmt": "yuv420p10le"}
    return parse_probe({"format": {"format_name": "mov,mp4", "duration": "10"}, "streams": [{**base, **stream}]})


PQ = _video(color_primaries="bt2020", color_transfer="smpte2084", color_space="bt2020nc", color_range="tv")
HLG = _video(color_primaries="bt2020", color_transfer="arib-std-b67", color_space="bt2020nc")


def test_pq_master_is_tone_mapped_and_tagged_bt709():
    cmd = commands.video_proxy_command("hdr.mp4", "p.mp4", PQ, VIDEO_PROXY)
    vf = _after(cmd, "-vf")
    assert vf == ("scale=1280:720:flags=bicubic,setsar=1,"
                  "zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:rin=tv:t=linear:p=bt709:npl=100,format=gbrpf32le,"
                  "tonemap=mobius:param=0.5:desat=0:peak=10,zscale=t=bt709:m=bt709:r=tv,"
                  "format=yuv420p")
    assert _tags(cmd) == ("bt709", "bt709", "bt709", "tv") and _after(cmd, "-pix_fmt") == "yuv420p"
    assert "bt2020" not in " ".join(cmd[cmd.index("-vf") + 2:])  # no BT.2020 tag on the 8-bit output


def test_hlg_master_is_tone_mapped_from_hlg():
    vf = commands.video_filter(HLG, (640, 360), colour.plan(HLG))
    assert "zscale=tin=arib-std-b67:pin=bt2020:min=bt2020nc:rin=tv:t=linear" in vf and "tonemap=mobius" in vf


def test_poster_of_an_hdr_master_is_tone_mapped_too():
    cmd = commands.poster_command("hdr.mp4", "p.jpg", PQ, POSTER)
    vf = _after(cmd, "-vf")
    # JPEG is BT.601 full range (JFIF): the tone map's last zimg step writes that.
    assert "tonemap=mobius" in vf and vf.endswith("zscale=t=bt709:m=smpte170m:r=pc,format=yuvj420p")


@pytest.mark.parametrize("tags, options", [
    ({"color_space": "bt709"}, ":in_color_matrix=bt709:out_color_matrix=bt601:out_range=full"),
    ({"color_space": "bt470bg"}, ":in_color_matrix=bt470:out_color_matrix=bt601:out_range=full"),
    ({}, ":in_color_matrix=bt709:out_color_matrix=bt601:out_range=full"),  # untagged HD: BT.709
    ({"pix_fmt": "rgb24"}, ":out_color_matrix=bt601:out_range=full"),
])
def test_sdr_posters_are_converted_to_jfif(tags, options):
    probe = _video(**{"pix_fmt": "yuv420p", **tags})
    vf = _after(commands.poster_command("a", "b", probe, POSTER), "-vf")
    assert vf == f"scale=1280:720:flags=bicubic{options},setsar=1,format=yuvj420p"


@pytest.mark.parametrize("side_data, peak", [
    ([], "10"),  # nothing said: 1000 cd/m²
    ([{"side_data_type": "Content light level metadata", "max_content": 4000, "max_average": 400}], "40"),
    ([{"side_data_type": "Mastering display metadata", "max_luminance": "6000000/10000"}], "6"),
    ([{"side_data_type": "Content light level metadata", "max_content": 0, "max_average": 0},
      {"side_data_type": "Mastering display metadata", "max_luminance": "10000000/10000"}], "10"),
    ([{"side_data_type": "Content light level metadata", "max_content": 60000}], "100"),  # PQ's ceiling
])
def test_tone_map_peak_comes_from_the_content(side_data, peak):
    probe = _video(color_primaries="bt2020", color_transfer="smpte2084", side_data_list=side_data)
    assert f"peak={peak}," in commands.video_filter(probe, (640, 360), colour.plan(probe))


def test_hdr_with_partial_tags_states_what_zimg_needs():
    # Only the transfer is tagged (a remux lost the rest); full range from a phone.
    probe = _video(color_transfer="smpte2084", color_range="pc")
    vf = commands.video_filter(probe, (640, 360), colour.plan(probe))
    assert "zscale=tin=smpte2084:pin=bt2020:min=bt2020nc:rin=pc:t=linear" in vf


def test_wide_gamut_sdr_is_converted_not_relabelled():
    probe = _video(color_primaries="bt2020", color_transfer="bt2020-10", color_space="bt2020nc")
    cmd = commands.video_proxy_command("a", "b", probe, VIDEO_PROXY)
    assert "zscale=tin=bt2020-10:pin=bt2020:min=bt2020nc:rin=tv:t=bt709:p=bt709:m=bt709:r=tv,format=yuv420p" in \
           _after(cmd, "-vf")
    assert "tonemap" not in _after(cmd, "-vf") and _tags(cmd) == ("bt709", "bt709", "bt709", "tv")
    assert colour.plan(probe).mode == "convert" and colour.plan(PQ).mode == "tonemap"


@pytest.mark.parametrize("size, tags, expected", [
    ((1920, 1080), {}, ("bt709", "bt709", "bt709")),  # untagged HD
    ((720, 576), {}, ("bt470bg", "smpte170m", "bt470bg")),  # untagged PAL SD
    ((720, 480), {}, ("smpte170m", "smpte170m", "smpte170m")),  # untagged NTSC SD
    ((640, 360), {}, ("bt709", "bt709", "smpte170m")),  # small web video: BT.601 matrix, as players guess
    ((720, 576), {"color_primaries": "bt470bg", "color_transfer": "bt709", "color_space": "bt470bg"},
     ("bt470bg", "bt709", "bt470bg")),  # tagged: kept as it is
    ((1920, 1080), {"color_space": "smpte170m"}, ("smpte170m", "smpte170m", "smpte170m")),  # upconverted SD
    ((1920, 1080), {"color_space": "unknown", "color_primaries": "reserved"}, ("bt709", "bt709", "bt709")),
])
def test_sdr_keeps_its_pixels_and_gets_sensible_tags(size, tags, expected):
    probe = _video(width=size[0], height=size[1], pix_fmt="yuv420p", **tags)
    cmd = commands.video_proxy_command("a", "b", probe, VIDEO_PROXY)
    assert "zscale" not in _after(cmd, "-vf")
    assert _tags(cmd) == (*expected, "tv")


def test_rgb_source_is_tagged_with_the_matrix_swscale_used():
    probe = _video(pix_fmt="gbrp10le", color_space="gbr", color_primaries="bt709", color_transfer="bt709")
    assert _tags(commands.video_proxy_command("a", "b", probe, VIDEO_PROXY))[:3] == ("bt709", "bt709", "smpte170m")


def test_an_old_record_without_colour_keys_is_sdr():
    old = ProbeResult("mov,mp4", None, 10.0, None, video_codec="h264", width=1920, height=1080)
    assert colour.plan(old).mode == "keep"
    assert _tags(commands.video_proxy_command("a", "b", old, VIDEO_PROXY)) == ("bt709", "bt709", "bt709", "tv")


def test_recorded_hdr_masters():
    pq = parse_probe(recorded("hdr10_pq_mp4"))
    hlg = parse_probe(recorded("hlg_mkv_attachment"))
    assert colour.plan(pq).mode == colour.plan(hlg).mode == "tonemap"
    assert colour.plan(dataclasses.replace(pq, hdr=None, color_primaries="bt709", color_space="bt709",
                                           color_transfer="bt709")).mode == "keep"
