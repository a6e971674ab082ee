"""The remux verdict (archive.provenance.remux) as data: the shares it needs, when it does not
apply, and the edit it turns `re_encoded` into (services.edits)."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from archive.media.packets import Overlap
from archive.media.probe import ProbeResult
from archive.provenance import remux, services
from archive.provenance.matching import Candidate


@pytest.mark.parametrize("overlap, remuxed", [
    (Overlap(packets=200, found=200, bytes=10**6, bytes_found=10**6), True),
    (Overlap(packets=200, found=180, bytes=10**6, bytes_found=900_000), True),  # 90 %: a trimmed edge
    (Overlap(packets=200, found=179, bytes=10**6, bytes_found=10**6), False),
    # Tiny identical "nothing moved" packets of a re-encoded still: many found, their bytes not.
    (Overlap(packets=200, found=190, bytes=10**6, bytes_found=20_000), False),
    (Overlap(packets=4, found=4, bytes=4000, bytes_found=4000), False),  # too few to say
])
def test_the_verdict_needs_most_packets_and_most_bytes(overlap, remuxed):
    check = remux.Check(overlap, sampled=False)
    assert check.remuxed is remuxed
    assert check.to_json()["compared"] == overlap.packets and check.to_json()["found"] == overlap.found


def _probe(codec: str) -> ProbeResult:
    return ProbeResult.from_dict({"container": "mov,mp4", "container_long": None, "duration": 8.0, "bit_rate": None,
                                  "video_codec": codec, "streams": [{"type": "video", "index": 0, "codec": codec}]})


def _candidate() -> Candidate:
    return Candidate(key="a", mirrored=False, offset=10.0, score=0.9, matched=16, query_in=0.0, query_out=8.0,
                     master_in=10.0, master_out=18.0, distance=4.0)


def test_the_check_applies_only_to_the_masters_codec_with_an_original():
    checker = remux.Checker("/nowhere", _probe("h264"), remux.Settings(seconds=120, timeout=5),
                            source=lambda _a: pytest.fail("no master read when the check does not apply"))
    c = _candidate()
    assert checker.check(c, SimpleNamespace(id="a", technical={"video_codec": "hevc"}, original_key="k")) is None
    assert checker.check(c, SimpleNamespace(id="a", technical={"video_codec": "h264"}, original_key=None)) is None
    off = remux.Checker("/nowhere", _probe("h264"), remux.Settings(seconds=0, timeout=5))
    assert not off.applies(c, SimpleNamespace(id="a", technical={"video_codec": "h264"}, original_key="k"))


def test_a_failed_check_answers_none_not_an_error(tmp_path, caplog):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not a video")
    checker = remux.Checker(str(clip), _probe("h264"), remux.Settings(seconds=120, timeout=5),
                            source=lambda _a: str(clip))
    asset = SimpleNamespace(id="a", technical=_probe("h264").to_dict(), original_key="k")
    assert checker.check(_candidate(), asset) is None
    assert "remux check" in caplog.text


def test_remuxed_takes_the_place_of_re_encoded():
    asset = SimpleNamespace(sha256="0" * 64, technical={"width": 320, "height": 180})
    probe = ProbeResult.from_dict({"container": "matroska", "container_long": None, "duration": 8.0,
                                   "bit_rate": None, "video_codec": "h264", "width": 320, "height": 180})
    assert services.edits(_candidate(), asset, probe, "1" * 64) == ["re_encoded"]
    assert services.edits(_candidate(), asset, probe, "1" * 64, remuxed=True) == ["remuxed"]
    assert services.edits(_candidate(), asset, probe, "0" * 64, remuxed=True) == ["identical"]


def test_every_edit_the_lookup_reports_is_in_the_api_enum_and_labelled():
    """services.EDITS is the one list of edit names: the OpenAPI enum is it, the lookup page has
    a label for each, and what `edits` reports (in EDITS order) comes from it."""
    from archive.api.spec.lookup import schemas
    from archive.provenance.lookup_pages import EDIT_LABELS

    enum = schemas()["LookupMatch"]["properties"]["edits"]["items"]["enum"]
    assert enum == list(services.EDITS) and set(EDIT_LABELS) == set(services.EDITS)
    asset = SimpleNamespace(sha256="0" * 64, technical={"width": 640, "height": 360})
    probe = ProbeResult.from_dict({"container": "mp4", "container_long": None, "duration": 8.0, "bit_rate": None,
                                   "video_codec": "h264", "width": 320, "height": 240})
    c = dataclasses.replace(_candidate(), mirrored=True, speed=1.5)
    seen = services.edits(c, asset, probe, "1" * 64, bars=(0.1, 0.1, 0.0, 0.0))
    assert set(seen) <= set(services.EDITS) and seen == sorted(seen, key=services.EDITS.index)
    assert {"mirrored", "speed_change", "letterboxed", "resized", "re_encoded"} <= set(seen), seen
