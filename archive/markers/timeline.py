"""An asset's timeline: frame rate, start timecode and length, from its probed `technical`.

Positions are frame counts from the master's first frame; a client reads and writes them as
SMPTE timecodes of the master (its start timecode added), drop-frame (`;`) when the master's
own start timecode is (29.97 and 59.94 only, SMPTE ST 12-1). Audio has no frames: its
timeline counts at AUDIO_RATE, the EBU timecode rate of 25 frames a second.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from archive.media.timecode import (TimecodeError, clock_label_seconds, frames_to_timecode, is_drop_frame,
                                    label_clock_seconds, parse_rate, timecode_base, timecode_to_frames)

AUDIO_RATE = Fraction(25)
# How far before a frame's start an instant still names that frame (and how far past a frame
# boundary an `out` still ends there): half a millisecond. Instants written to the millisecond
# (clock labels, the seconds the API and the pages print) then name the frame they were written
# from, whichever way they were rounded, and float error in a client's seconds is absorbed; a
# frame lasts 16.7 ms at 60 frames a second, so no frame is ever skipped.
SNAP_SECONDS = Fraction(1, 2000)
DAY_SECONDS = 86400


@dataclass(frozen=True)
class Timeline:
    rate: Fraction
    start: int  # the start timecode as a frame count since 00:00:00:00
    drop_frame: bool
    frames: int | None  # the length in frames (None: duration unknown)

    @classmethod
    def of(cls, technical: dict | None, kind: str | None) -> "Timeline | None":
        """The timeline of a video or audio asset; None for anything else (an image has none)."""
        technical = technical if isinstance(technical, dict) else {}
        if kind not in ("video", "audio"):
            return None
        rate = parse_rate(technical.get("frame_rate")) if kind == "video" else None
        rate = rate or AUDIO_RATE
        start_label = technical.get("start_timecode")
        start, drop = 0, False
        if isinstance(start_label, str):
            try:
                start = timecode_to_frames(start_label, rate)
                drop = is_drop_frame(start_label)
            except TimecodeError:
                start, drop = 0, False
        return cls(rate, start, drop, _length(technical, kind, rate))

    @property
    def end_seconds(self) -> float | None:
        """Where the last frame ends, in seconds from the first (None: length unknown)."""
        return self.seconds(self.frames) if self.frames is not None else None

    @property
    def rate_text(self) -> str:
        return f"{self.rate.numerator}/{self.rate.denominator}"

    def _day(self) -> int:
        sep = ";" if self.drop_frame else ":"
        return timecode_to_frames(f"23:59:59{sep}00", self.rate) + timecode_base(self.rate)

    def position(self, label: str) -> int:
        """A timecode of the master → frames from its first frame. A label before the start
        timecode is read as the next day's (timecode wraps at 24 h). Raises TimecodeError."""
        frames = timecode_to_frames(label, self.rate) - self.start
        if frames < 0:
            frames += self._day()
        return frames

    def label(self, frames: int) -> str:
        """Frames from the first frame → the master's timecode there."""
        return frames_to_timecode(self.start + frames, self.rate, drop_frame=self.drop_frame)

    def frame_at(self, seconds: Fraction, *, end: bool = False) -> int:
        """THE rule from an instant (seconds from the first frame, exact) to a frame, for every
        way a position is written (seconds, clock labels): the frame showing at that instant,
        i.e. floor(seconds × rate), an instant less than SNAP_SECONDS before a frame's start
        counting as that frame; as an exclusive `end`, the end of that frame, an instant within
        SNAP_SECONDS past a frame boundary ending there. The player's frame under the playhead
        follows the same rule (player.js `frameAt`)."""
        if end:
            return max(0, math.ceil((seconds - SNAP_SECONDS) * self.rate))
        return max(0, math.floor((seconds + SNAP_SECONDS) * self.rate))

    @property
    def start_clock(self) -> Fraction:
        """The start timecode read as a clock (`label_clock_seconds`): a clock label of the
        master is this plus the seconds from its first frame."""
        return label_clock_seconds(self.label(0), self.rate)

    def label_at(self, seconds: float) -> str:
        """Seconds from the first frame → the master's timecode of the frame boundary nearest
        them (the ends of segments read by `read_position` are frame boundaries; rounding only
        undoes float error)."""
        return self.label(max(0, round(Fraction(seconds) * self.rate)))

    def seconds(self, frames: int) -> float:
        return float(Fraction(frames) / self.rate)

    def as_json(self) -> dict:
        """What a player needs to show timecode: rate as a fraction and as a number, the start
        timecode, whether it drops frames, the length in frames."""
        return {"rate": self.rate_text, "fps": float(self.rate), "start": self.label(0),
                "start_frames": self.start, "drop_frame": self.drop_frame, "frames": self.frames}


def _length(technical: dict, kind: str, rate: Fraction) -> int | None:
    """The frames of the timeline: a video's own frame count where the probe found it
    (`video_frames`: nb_frames or the video stream's duration, `archive.media.probe`), else the
    container's duration × rate, rounded up (audio, and assets probed before `video_frames`)."""
    counted = technical.get("video_frames") if kind == "video" else None
    if isinstance(counted, int) and not isinstance(counted, bool) and counted > 0:
        return counted
    duration = technical.get("duration")
    if isinstance(duration, (int, float)) and not isinstance(duration, bool) and duration > 0:
        return math.ceil(Fraction(str(duration)) * rate)
    return None


def media_seconds(technical: dict | None, kind: str | None) -> float | None:
    """An asset's length in seconds as its timeline counts it: a video whose probe counted its
    frames ends with its last frame (the container may run on with a longer audio track);
    anything else its container's duration. None when unknown."""
    technical = technical if isinstance(technical, dict) else {}
    if kind == "video" and isinstance(technical.get("video_frames"), int):
        timeline = Timeline.of(technical, kind)
        if timeline is not None and timeline.end_seconds:
            return timeline.end_seconds
    duration = technical.get("duration")
    return float(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) \
        and duration > 0 else None


MAX_LABEL = 32  # characters of a timecode label; longer text is not one
MAX_SECONDS = 86400 * 7  # a position given as seconds: a week of media is beyond any master here


@dataclass
class PositionError(ValueError):
    """Why a position names no frame of the master. `code`: `required`, `invalid_timecode`
    (params `reason`: `malformed`, `hours_out_of_range`, `minutes_out_of_range`,
    `seconds_out_of_range`, `frame_out_of_range` (with `part`, `value`, `min`, `max`: the field
    of the label and its range), `drop_frame_rate`, `dropped_label` from `TimecodeError`, or `drop_frame_mismatch`: `;` on a master counted without drop
    frames, `:` on one counted with them), `invalid_seconds`, `out_of_range` (params `max`,
    the master's last timecode, and `max_seconds`), `before_start` (a label before the start
    timecode, which would be the next day's and is past the end: params `min`, the start
    timecode, `max` and `max_seconds`)."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def read_position(timeline: Timeline, name: str, value: Any, *, seconds: bool = True) -> int:
    """A position of the master → frames from its first frame. The one reader of positions for
    markers, clips, basket segments, rights segments and co-production footage segments.

    `value` is a timecode label of the master (`HH:MM:SS:FF`, drop-frame `HH:MM:SS;FF` when the
    master's start timecode is; its start timecode added, SMPTE ST 12-1), a clock time of the
    master `HH:MM:SS[.ffffff]` (the start timecode read as a clock, `Timeline.start_clock`, plus
    the seconds from the first frame: `01:00:01.500` on a master starting at 01:00:00;00 is the
    instant 1.5 s in) or, when `seconds`, a JSON number of seconds from the first frame. An
    instant, however written, names a frame by the one rule of `Timeline.frame_at`: for `in`
    the frame showing at that instant, for `out` (exclusive) the end of the frame showing
    there, so the segment covers at least the seconds asked. `in` must name a frame of the
    master, `out` may be its end. Raises PositionError."""
    if value is None:
        raise PositionError("required", f"{name} is required", {"reason": "malformed"})
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or (not seconds and not isinstance(value, str)):
        raise PositionError("invalid_timecode", f"{name} must be a timecode such as 00:00:12:05"
                            + (" or a number of seconds" if seconds else ""), {"reason": "malformed"})
    wrapped = False  # a label before the start timecode, read as the next day's
    if isinstance(value, str):
        label = value.strip()
        if len(value) > MAX_LABEL:
            raise PositionError("invalid_timecode", f"{name} is too long to be a timecode", {"reason": "malformed"})
        smpte = "." not in label and label.count(":") + label.count(";") == 3
        if smpte and (";" in label) != timeline.drop_frame:
            expected = "drop-frame (;)" if timeline.drop_frame else "non-drop-frame (:)"
            raise PositionError("invalid_timecode", f"{name}: the master's timecode is {expected}",
                                {"reason": "drop_frame_mismatch"})
        try:
            clock = clock_label_seconds(label)
            if clock is None:
                frames = timeline.position(label)
                wrapped = bool(timeline.start) and frames >= timeline._day() - timeline.start
            else:
                elapsed = clock - timeline.start_clock
                wrapped = elapsed < 0
                frames = timeline.frame_at(elapsed + DAY_SECONDS if wrapped else elapsed, end=name == "out")
        except TimecodeError as exc:
            raise PositionError("invalid_timecode", f"{name}: {exc}", {"reason": exc.reason, **exc.params}) from exc
    else:
        if not math.isfinite(value) or not 0 <= value <= MAX_SECONDS:
            raise PositionError("invalid_seconds", f"{name} must be seconds from 0 to {MAX_SECONDS}",
                                {"min": 0, "max": MAX_SECONDS})
        frames = timeline.frame_at(Fraction(str(value)), end=name == "out")
    last = timeline.frames
    if last is not None and (frames > last or (name != "out" and frames >= last)):
        if wrapped:
            # Read as the next day's, and past the end: a label before the start timecode.
            raise PositionError("before_start", f"{name} is before the start of the master ({timeline.label(0)})",
                                {"min": timeline.label(0), "max": timeline.label(last),
                                 "max_seconds": round(timeline.seconds(last), 6)})
        raise PositionError("out_of_range", f"{name} is past the end of the master ({timeline.label(last)})",
                            {"max": timeline.label(last), "max_seconds": round(timeline.seconds(last), 6)})
    return frames
