"""An asset's timeline: frame rate, start timecode and length, from its probed `technical`.

Positions are frame counts from the master's first frame; a client reads and writes them as
SMPTE timecodes of the master (its start timecode added), drop-frame (`;`) when the master's
own start timecode is (29.97 and 59.94 only, SMPTE ST 12-1). Audio has no frames: its
timeline counts at AUDIO_RATE, the EBU timecode rate of 25 frames a second.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from archive.media.timecode import (TimecodeError, frames_to_timecode, is_drop_frame, parse_rate, timecode_base,
                                    timecode_to_frames)

AUDIO_RATE = Fraction(25)


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
        duration = technical.get("duration")
        frames = (math.ceil(Fraction(str(duration)) * rate)
                  if isinstance(duration, (int, float)) and not isinstance(duration, bool) and duration > 0 else None)
        return cls(rate, start, drop, frames)

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

    def seconds(self, frames: int) -> float:
        return float(Fraction(frames) / self.rate)

    def as_json(self) -> dict:
        """What a player needs to show timecode: rate as a fraction and as a number, the start
        timecode, whether it drops frames, the length in frames."""
        return {"rate": self.rate_text, "fps": float(self.rate), "start": self.label(0),
                "start_frames": self.start, "drop_frame": self.drop_frame, "frames": self.frames}
