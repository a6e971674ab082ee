"""Parsing what ffmpeg/ffprobe print: rates, durations, SMPTE timecodes and `-progress` blocks."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

_TIMECODE = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)([:;.,])(\d{2,3})$")


def parse_rate(value: str | None) -> Fraction | None:
    """'30000/1001' or '25' → Fraction; '0/0', 'N/A', junk → None (ffprobe's 'unknown')."""
    if not value:
        return None
    try:
        if "/" in value:
            num, den = value.split("/", 1)
            if int(den) == 0:
                return None
            rate = Fraction(int(num), int(den))
        else:
            rate = Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None
    return rate if rate > 0 else None


def parse_ratio(value: str | None) -> Fraction | None:
    """Sample/display aspect ratios as ffprobe writes them ('16:9', '1:1'); '0:1' → None."""
    if not value or ":" not in value:
        return None
    return parse_rate(value.replace(":", "/", 1))


def parse_seconds(value: str | int | float | None) -> float | None:
    """'12.345000', 12 or 'N/A' → seconds as float, or None."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 and seconds == seconds else None  # NaN is not a duration


def parse_clock(value: str) -> float | None:
    """'01:02:03.50' (ffmpeg's out_time) → 3723.5; None if malformed or negative."""
    m = re.fullmatch(r"(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", value.strip())
    if not m or m.group(1):
        return None
    return int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))


def normalise_timecode(value: str | None) -> str | None:
    """A SMPTE timecode as found in tags ('10:00:00:00', drop-frame '01:00:00;00'), or None."""
    if not value:
        return None
    value = value.strip()
    return value if _TIMECODE.match(value) else None


@dataclass(frozen=True)
class Progress:
    """One `-progress` block: how far the output has got, and whether ffmpeg says it is done."""

    out_time: float | None
    frame: int | None
    speed: str | None
    done: bool

    def fraction(self, duration: float | None) -> float | None:
        if self.done:
            return 1.0
        if self.out_time is None or not duration or duration <= 0:
            return None
        return max(0.0, min(1.0, self.out_time / duration))


class ProgressParser:
    """Feed ffmpeg's `-progress pipe:1` lines; each finished block yields a Progress.

    ffmpeg writes key=value lines and ends every block with `progress=continue|end`.
    """

    def __init__(self) -> None:
        self._block: dict[str, str] = {}

    def feed(self, line: str) -> Progress | None:
        line = line.strip()
        if "=" not in line:
            return None
        key, _, value = line.partition("=")
        self._block[key.strip()] = value.strip()
        if key != "progress":
            return None
        block, self._block = self._block, {}
        return _block_to_progress(block)


def _block_to_progress(block: dict[str, str]) -> Progress:
    out_time = None
    raw_us = block.get("out_time_us") or block.get("out_time_ms")  # both are microseconds (ffmpeg quirk)
    if raw_us and raw_us.lstrip("-").isdigit() and int(raw_us) >= 0:
        out_time = int(raw_us) / 1_000_000
    elif block.get("out_time"):
        out_time = parse_clock(block["out_time"])
    frame = block.get("frame")
    return Progress(out_time=out_time,
                    frame=int(frame) if frame and frame.isdigit() else None,
                    speed=block.get("speed"),
                    done=block.get("progress") == "end")
