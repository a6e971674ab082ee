"""The one reader of positions (archive.markers.timeline.read_position): labels of the master
with its start timecode and drop-frame counting, seconds, and every way a position is wrong."""
from __future__ import annotations

from fractions import Fraction

import pytest

from archive.markers.timeline import MAX_SECONDS, PositionError, Timeline, read_position

PAL = Timeline.of({"duration": 60.0, "frame_rate": "25", "start_timecode": "10:00:00:00"}, "video")
NTSC_DF = Timeline.of({"duration": 120.0, "frame_rate": "30000/1001", "start_timecode": "01:00:00;00"}, "video")


def _error(timeline, name, value, **kw) -> PositionError:
    with pytest.raises(PositionError) as caught:
        read_position(timeline, name, value, **kw)
    return caught.value


def test_labels_count_from_the_start_timecode():
    assert read_position(PAL, "in", "10:00:01:05") == 30
    assert read_position(PAL, "in", "10:00:01.5") == 37  # a clock time falls in frame 37
    assert read_position(PAL, "in", "10:00:02") == 50
    assert read_position(PAL, "out", "10:01:00:00") == 1500  # out may be the end itself


def test_drop_frame_labels_on_a_drop_frame_master():
    # 01:01:00;02 is the first label of minute 1 (;00 and ;01 are dropped): frame 1800.
    assert read_position(NTSC_DF, "in", "01:01:00;02") == 1800
    assert _error(NTSC_DF, "in", "01:01:00;01").params["reason"] == "dropped_label"
    assert _error(NTSC_DF, "in", "01:01:00:02").params["reason"] == "drop_frame_mismatch"
    assert _error(PAL, "in", "10:00:01;00").params["reason"] == "drop_frame_mismatch"


def test_seconds_cover_at_least_what_was_asked():
    assert read_position(PAL, "in", 1.03) == 25  # the frame showing at 1.03 s
    assert read_position(PAL, "out", 1.03) == 26  # the end of that frame
    assert read_position(NTSC_DF, "out", 1) == 30  # 29.97 frames in a second: the 30th ends after it
    assert Fraction(30) / NTSC_DF.rate > 1


@pytest.mark.parametrize("value, kw, code, reason", [
    (None, {}, "required", "malformed"),
    (True, {}, "invalid_timecode", "malformed"),
    ([1], {}, "invalid_timecode", "malformed"),
    (5, {"seconds": False}, "invalid_timecode", "malformed"),
    ("1:2:3", {}, "invalid_timecode", "malformed"),
    ("10:00:00:00" + " " * 40, {}, "invalid_timecode", "malformed"),
    ("10:00:01:25", {}, "invalid_timecode", "frame_out_of_range"),
    ("10:00:99:00", {}, "invalid_timecode", "seconds_out_of_range"),
    ("10:60:00:00", {}, "invalid_timecode", "minutes_out_of_range"),
    ("10:00:99.250", {}, "invalid_timecode", "seconds_out_of_range"),
    (float("nan"), {}, "invalid_seconds", None),
    (-1, {}, "invalid_seconds", None),
    (MAX_SECONDS + 1, {}, "invalid_seconds", None),
    ("10:01:00:00", {}, "out_of_range", None),  # `in` must name a frame of the master
    (60.01, {}, "out_of_range", None),
])
def test_positions_that_name_no_frame(value, kw, code, reason):
    err = _error(PAL, "in", value, **kw)
    assert err.code == code
    assert err.params.get("reason") == reason
    if code == "out_of_range":
        assert err.params == {"max": "10:01:00:00", "max_seconds": 60.0}


def test_a_label_before_the_start_timecode_says_so():
    for value in ("00:00:01:05", "09:59:59:24", "09:59:59.5"):
        err = _error(PAL, "in", value)
        assert err.code == "before_start", value
        assert err.params == {"min": "10:00:00:00", "max": "10:01:00:00", "max_seconds": 60.0}
        assert str(err) == "in is before the start of the master (10:00:00:00)"
    assert _error(PAL, "out", "09:00:00:00").code == "before_start"
    # A master that starts at 00:00:00:00 has nothing before it: past its end is past its end.
    zero = Timeline.of({"duration": 60.0, "frame_rate": "25"}, "video")
    assert _error(zero, "in", "23:59:59:24").code == "out_of_range"
    # A master running across midnight: the next day's labels are its own.
    night = Timeline.of({"duration": 7200.0, "frame_rate": "25", "start_timecode": "23:30:00:00"}, "video")
    assert read_position(night, "in", "00:10:00:00") == 40 * 60 * 25
    assert _error(night, "in", "23:00:00:00").code == "before_start"


def test_a_master_without_length_takes_any_position():
    timeline = Timeline.of({"frame_rate": "25"}, "video")
    assert read_position(timeline, "out", "05:00:00:00") == 5 * 3600 * 25


def test_an_out_of_range_field_is_named_with_its_range_not_called_malformed():
    err = _error(PAL, "in", "00:00:99:00")
    assert err.params == {"reason": "seconds_out_of_range", "part": "seconds", "value": 99, "min": 0, "max": 59}
    assert err.message == "in: seconds 99 is out of range: seconds run from 00 to 59"


FILM = Timeline.of({"duration": 12.054, "frame_rate": "24000/1001", "start_timecode": "10:00:00:00"}, "video")


def test_one_instant_names_one_frame_however_it_is_written():
    # The trial: on the 29.97 drop-frame master, 1.5 s and 01:00:01.500 named frames 44 and 45.
    for name, frame in (("in", 44), ("out", 45)):  # frame 44 shows at 1.5 s; 45 starts at 1.5015 s
        assert read_position(NTSC_DF, name, 1.5) == frame
        assert read_position(NTSC_DF, name, "01:00:01.500") == frame
        assert read_position(NTSC_DF, name, "01:00:01.5") == frame
    # On a 23.976 master starting 10:00:00:00 a clock label is the start plus the seconds (it
    # was read as a wall-clock instant before 10:00:36, "before the start of the master").
    assert read_position(FILM, "in", "10:00:01.500") == read_position(FILM, "in", 1.5) == 35
    assert read_position(FILM, "out", "10:00:01.500") == read_position(FILM, "out", 1.5) == 36


def test_an_instant_written_to_the_millisecond_names_the_frame_it_was_written_from():
    # Frame 2 at 23.976 starts at 0.08341666... s, which to the millisecond is 0.083.
    for written in (0.083, "10:00:00.083", 2 * 1001 / 24000, round(2 * 1001 / 24000, 6)):
        assert read_position(FILM, "in", written) == 2, written
        assert read_position(FILM, "out", written) == 2, written  # an end on that boundary
    assert read_position(FILM, "in", 0.084) == 2 and read_position(FILM, "out", 0.084) == 3
    # Frame 45 at 29.97 starts at 1.5015 s: 1.5009 s is still frame 44, an out there ends it.
    assert read_position(NTSC_DF, "in", 1.5009) == 44 and read_position(NTSC_DF, "out", 1.5009) == 45
    assert read_position(NTSC_DF, "in", 1.501) == 45 and read_position(NTSC_DF, "out", 1.502) == 45
    # A clock label before the start timecode is still said to be before it.
    assert _error(FILM, "in", "09:59:59.500").code == "before_start"
