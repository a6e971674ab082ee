"""A basket zip's item names (archive.baskets.zips.entry_name): a segment is named by the span
its file holds, a drop-frame timecode keeps its mark, and the cut part has no space."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from archive.baskets.zips import entry_name

DROP = {"kind": "video", "duration": 120.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"}
NON_DROP = {"kind": "video", "duration": 120.0, "frame_rate": "25/1", "start_timecode": "10:00:00:00"}


def _item(technical, in_frame=None, out_frame=None, title="Halay oyunu"):
    asset = SimpleNamespace(filename="halay.mxf", technical=technical, kind="video", title=lambda lang=None: title)
    return SimpleNamespace(asset=asset, in_frame=in_frame, out_frame=out_frame, rate=None)


def test_a_whole_asset_keeps_its_extension():
    assert entry_name(1, _item(NON_DROP)) == "00001 Halay oyunu.mxf"


def test_a_segment_is_named_by_the_delivered_span():
    item = _item(NON_DROP, in_frame=25, out_frame=75)  # asked for 10:00:01:00 to 10:00:03:00
    assert entry_name(2, item) == "00002 Halay oyunu_10-00-01-00_10-00-03-00.mov"
    # A fast cut starts at the keyframe before: the file holds from 10:00:00:00.
    actual = {"actual_in": "10:00:00:00", "actual_out": "10:00:03:00"}
    assert entry_name(2, item, actual) == "00002 Halay oyunu_10-00-00-00_10-00-03-00.mov"


@pytest.mark.parametrize("actual, cut", [
    (None, "01-00-01.00_01-00-03.00"),
    ({"actual_in": "01:00:00;00", "actual_out": "01:00:03;00"}, "01-00-00.00_01-00-03.00")])
def test_a_drop_frame_timecode_keeps_its_mark_in_a_file_name_safe_way(actual, cut):
    item = _item(DROP, in_frame=30, out_frame=90)  # 01:00:01;00 to 01:00:03;00
    name = entry_name(3, item, actual)
    assert name == f"00003 Halay oyunu_{cut}.mov"
    assert " " not in name.split("Halay oyunu", 1)[1] and not set(name) & set(":;/\\")
