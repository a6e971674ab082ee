from fractions import Fraction

import pytest

from archive.media.timecode import (ProgressParser, normalise_timecode, parse_clock, parse_rate, parse_ratio,
                                    parse_seconds)


@pytest.mark.parametrize("raw, expected", [
    ("25/1", Fraction(25)), ("30000/1001", Fraction(30000, 1001)), ("24", Fraction(24)),
    ("0/0", None), ("N/A", None), ("", None), (None, None), ("1/0", None), ("-25/1", None), ("abc", None),
])
def test_parse_rate(raw, expected):
    assert parse_rate(raw) == expected


def test_parse_ratio():
    assert parse_ratio("16:9") == Fraction(16, 9)
    assert parse_ratio("0:1") is None
    assert parse_ratio("N/A") is None


@pytest.mark.parametrize("raw, expected", [("4.000000", 4.0), (12, 12.0), ("N/A", None), (None, None),
                                           ("-1", None), ("nan", None)])
def test_parse_seconds(raw, expected):
    assert parse_seconds(raw) == expected


def test_parse_clock():
    assert parse_clock("01:02:03.500000") == pytest.approx(3723.5)
    assert parse_clock("-00:00:00.040000") is None
    assert parse_clock("garbage") is None


@pytest.mark.parametrize("raw, expected", [
    ("10:00:00:00", "10:00:00:00"), ("01:00:00;00", "01:00:00;00"), (" 00:59:59:24 ", "00:59:59:24"),
    ("25:61:00:00", None), ("10:00:00", None), ("", None), (None, None),
])
def test_normalise_timecode(raw, expected):
    assert normalise_timecode(raw) == expected


BLOCK = """frame=50
fps=0.00
out_time_us=2000000
out_time_ms=2000000
out_time=00:00:02.000000
speed=63.9x
progress=continue
"""


def test_progress_blocks_become_fractions():
    parser = ProgressParser()
    results = [p for p in (parser.feed(line) for line in BLOCK.splitlines()) if p]
    assert len(results) == 1
    p = results[0]
    assert (p.frame, p.out_time, p.done) == (50, 2.0, False)
    assert p.fraction(4.0) == 0.5
    assert p.fraction(None) is None
    end = [parser.feed(x) for x in ("out_time_us=4100000", "progress=end")][-1]
    assert end.done and end.fraction(4.0) == 1.0


def test_progress_clamps_and_tolerates_na():
    parser = ProgressParser()
    for line in ("out_time_us=N/A", "out_time=N/A"):
        assert parser.feed(line) is None
    p = parser.feed("progress=continue")
    assert p.out_time is None and p.fraction(10) is None
    parser.feed("out_time_us=9000000")
    assert parser.feed("progress=continue").fraction(4.0) == 1.0
    assert parser.feed("not a key value line") is None


# ---- SMPTE labels ↔ frames ----

from archive.media.timecode import TimecodeError, frames_to_timecode, timecode_to_frames  # noqa: E402

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize("label, rate, frames", [
    ("00:00:00:00", Fraction(25), 0), ("00:00:01:00", Fraction(25), 25), ("10:00:00:00", Fraction(25), 900000),
    ("00:00:12:05", Fraction(25), 305), ("00:00:01:00", NTSC, 30), ("00:00:59;29", NTSC, 1799),
    ("00:01:00;02", NTSC, 1800), ("00:10:00;00", NTSC, 17982), ("01:00:00;00", NTSC, 107892),
    ("00:01:00;04", Fraction(60000, 1001), 3600), ("00:01:00:00", NTSC, 1800),  # non-drop at 29.97
    ("00:00:01.500", Fraction(25), 37), ("00:00:01:23", Fraction(24000, 1001), 47),
])
def test_timecode_to_frames(label, rate, frames):
    assert timecode_to_frames(label, rate) == frames


@pytest.mark.parametrize("label, rate, reason", [
    ("00:00:00:25", Fraction(25), "frame_out_of_range"), ("00:00:00;00", Fraction(25), "drop_frame_rate"),
    ("00:01:00;00", NTSC, "dropped_label"), ("00:01:00;01", NTSC, "dropped_label"),
    ("00:01:00;03", Fraction(60000, 1001), "dropped_label"), ("1:00:00:00", Fraction(25), "malformed"),
    ("00:60:00:00", Fraction(25), "minutes_out_of_range"), ("00:00:99:00", Fraction(25), "seconds_out_of_range"),
    ("24:00:00:00", Fraction(25), "hours_out_of_range"), ("00:00:99.5", Fraction(25), "seconds_out_of_range"),
    ("00:00:00:30", NTSC, "frame_out_of_range"), ("0٠:00:00:00", Fraction(25), "malformed"), ("00:00", Fraction(25), "malformed"), ("", Fraction(25), "malformed"),
    ("00:00:00:00\n", Fraction(25), None), ("٠٠:٠٠:٠٠:٠٠", Fraction(25), "malformed"),
])
def test_bad_timecodes(label, rate, reason):
    if reason is None:  # surrounding white space is forgiven
        assert timecode_to_frames(label, rate) == 0
        return
    with pytest.raises(TimecodeError) as err:
        timecode_to_frames(label, rate)
    assert err.value.reason == reason


@pytest.mark.parametrize("rate", [NTSC, Fraction(60000, 1001)])
def test_drop_frame_round_trip(rate):
    for frames in list(range(0, 20000)) + list(range(2_589_000, 2_589_408)):
        label = frames_to_timecode(frames, rate, drop_frame=True)
        assert ";" in label and timecode_to_frames(label, rate) == frames


def test_frames_to_timecode():
    assert frames_to_timecode(305, Fraction(25)) == "00:00:12:05"
    assert frames_to_timecode(1800, NTSC, drop_frame=True) == "00:01:00;02"
    assert frames_to_timecode(1800, NTSC) == "00:01:00:00"
    assert frames_to_timecode(25, Fraction(25), drop_frame=True) == "00:00:01:00"  # 25 fps never drops
    assert frames_to_timecode(24 * 3600 * 25 + 1, Fraction(25)) == "00:00:00:01"  # wraps at 24 h


def test_clock_times_name_the_frame_they_fall_in():
    # Whole seconds and up to microseconds, as rights and co-production segments are written.
    assert timecode_to_frames("00:00:02", Fraction(25)) == 50
    assert timecode_to_frames("00:00:01.999999", Fraction(25)) == 49
    assert timecode_to_frames("00:00:01.5", Fraction(30000, 1001)) == 44


@pytest.mark.parametrize("label, rate, part, value, top, words", [
    ("00:00:99:00", Fraction(25), "seconds", 99, 59, "seconds 99 is out of range: seconds run from 00 to 59"),
    ("00:75:00:00", Fraction(25), "minutes", 75, 59, "minutes 75 is out of range: minutes run from 00 to 59"),
    ("31:00:00:00", Fraction(25), "hours", 31, 23, "hours 31 is out of range: hours run from 00 to 23"),
    ("00:00:01:25", Fraction(25), "frame", 25, 24, "frames run from 00 to 24"),
    ("00:00:01;30", NTSC, "frame", 30, 29, "frames run from 00 to 29"),
])
def test_a_well_formed_label_with_a_field_out_of_range_names_the_field_and_its_range(label, rate, part, value, top,
                                                                                      words):
    with pytest.raises(TimecodeError) as err:
        timecode_to_frames(label, rate)
    assert err.value.reason == f"{part}_out_of_range"
    assert err.value.params == {"part": part, "value": value, "min": 0, "max": top}
    assert words in str(err.value)
