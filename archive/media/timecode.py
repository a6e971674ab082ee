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


# ---- SMPTE timecode labels ↔ frame counts (SMPTE ST 12-1) ----------------------------------

# ASCII digits only (`\d` would take ٠١٢ and other scripts' digits).
_SMPTE = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})([:;])([0-9]{2})")
_CLOCK_LABEL = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?")
# The rates whose timecode may drop frame numbers: 30000/1001 drops ;00 and ;01, 60000/1001
# ;00 to ;03, at the start of every minute except each tenth (SMPTE ST 12-1 §5.2.2).
DROP_FRAME_RATES = (Fraction(30000, 1001), Fraction(60000, 1001))
# The range of each field of a label (SMPTE ST 12-1 §5: hours 00-23, minutes and seconds 00-59;
# frames 00 to the timecode base less one, checked with the rate).
FIELD_RANGES = {"hours": 23, "minutes": 59, "seconds": 59}


class TimecodeError(ValueError):
    """A timecode that names no frame at the given rate; `reason` is machine-readable:
    `malformed` (not shaped like a timecode), `hours_out_of_range`, `minutes_out_of_range`,
    `seconds_out_of_range`, `frame_out_of_range` (a well-formed field past its range; `params`
    {"part": "hours"|"minutes"|"seconds"|"frame", "value": int, "min": 0, "max": int}),
    `drop_frame_rate` (';' at a rate that drops none), `dropped_label` (a label drop-frame
    counting skips)."""

    def __init__(self, message: str, reason: str, params: dict | None = None):
        super().__init__(message)
        self.reason = reason
        self.params = params or {}


def _field_range_error(part: str, value: int, top: int) -> TimecodeError:
    unit = {"hours": "hours run", "minutes": "minutes run", "seconds": "seconds run", "frame": "frames run"}[part]
    return TimecodeError(f"{part} {value:02d} is out of range: {unit} from 00 to {top:02d}",
                         f"{part}_out_of_range", {"part": part, "value": value, "min": 0, "max": top})


def check_clock_fields(hours: int, minutes: int, seconds: int) -> None:
    """Raise TimecodeError (`hours_out_of_range`, `minutes_out_of_range`, `seconds_out_of_range`)
    for the first field of a well-formed label outside its range (FIELD_RANGES)."""
    for part, value in (("hours", hours), ("minutes", minutes), ("seconds", seconds)):
        if value > FIELD_RANGES[part]:
            raise _field_range_error(part, value, FIELD_RANGES[part])


def check_label(label: str) -> None:
    """The rate-independent checks of a label: its shape (`malformed`) and the range of its hours,
    minutes and seconds. The frame field is checked against a rate by `timecode_to_frames`.
    Raises TimecodeError."""
    text = label.strip() if isinstance(label, str) else ""
    m = _SMPTE.fullmatch(text) or _CLOCK_LABEL.fullmatch(text)
    if m is None:
        raise TimecodeError(f"{str(label)[:40]!r} is not HH:MM:SS:FF, HH:MM:SS;FF or HH:MM:SS.ffffff", "malformed")
    check_clock_fields(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def clock_label_seconds(label: str) -> Fraction | None:
    """A clock label `HH:MM:SS[.ffffff]` → its seconds since 00:00:00, exactly; None for a
    SMPTE label (`HH:MM:SS:FF`, `HH:MM:SS;FF`). Raises TimecodeError as `check_label`."""
    check_label(label)
    c = _CLOCK_LABEL.fullmatch(label.strip())
    if c is None:
        return None
    fraction = c.group(4) or "0"
    return (int(c.group(1)) * 3600 + int(c.group(2)) * 60 + int(c.group(3))
            + Fraction(int(fraction), 10 ** len(fraction)))


def label_clock_seconds(label: str, rate: Fraction) -> Fraction:
    """What a SMPTE label reads as a clock: HH:MM:SS plus FF frames of the timecode base
    (`10:00:00:12` at 25 → 36000.48 s; drop-frame labels read as written). Raises TimecodeError."""
    m = _SMPTE.fullmatch(label.strip()) if isinstance(label, str) else None
    if m is None:
        raise TimecodeError(f"{str(label)[:40]!r} is not HH:MM:SS:FF or HH:MM:SS;FF", "malformed")
    return (int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
            + Fraction(int(m.group(5)), timecode_base(rate)))


def timecode_base(rate: Fraction) -> int:
    """The whole frames per timecode second: 25 for 25, 30 for 30000/1001, 24 for 24000/1001."""
    return max(1, round(rate))


def is_drop_frame(label: str | None) -> bool:
    """Drop-frame labels separate seconds from frames with ';' (SMPTE ST 12-1)."""
    return bool(label) and ";" in label


def timecode_to_frames(label: str, rate: Fraction) -> int:
    """`HH:MM:SS:FF` (non-drop) or `HH:MM:SS;FF` (drop-frame) at `rate` → the frame count since
    00:00:00:00; `HH:MM:SS.mmm` (a clock time) → the frame that time falls in.

    Raises TimecodeError (see its reasons): a label of the right shape with a field out of its
    range names that field and the range, e.g. "seconds 99 is out of range: seconds run from 00
    to 59"."""
    if not isinstance(label, str):
        raise TimecodeError("a timecode must be text", "malformed")
    base = timecode_base(rate)
    check_label(label)
    m = _SMPTE.fullmatch(label.strip())
    if m is None:
        c = _CLOCK_LABEL.fullmatch(label.strip())
        fraction = c.group(4) or "0"
        seconds = (int(c.group(1)) * 3600 + int(c.group(2)) * 60 + int(c.group(3))
                   + Fraction(int(fraction), 10 ** len(fraction)))
        return int(seconds * rate)
    hh, mm, ss, sep, ff = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(5))
    if ff >= base:
        raise TimecodeError(f"frame {ff:02d} does not exist at {base} frames a second: frames run from 00 to "
                            f"{base - 1:02d}", "frame_out_of_range",
                            {"part": "frame", "value": ff, "min": 0, "max": base - 1})
    count = (hh * 3600 + mm * 60 + ss) * base + ff
    if sep == ":":
        return count
    if rate not in DROP_FRAME_RATES:
        raise TimecodeError(f"drop-frame timecode (';') exists only at 29.97 and 59.94, not {float(rate):g}",
                            "drop_frame_rate")
    drop = base // 15
    if ss == 0 and mm % 10 and ff < drop:
        raise TimecodeError(f"{label} is skipped by drop-frame counting", "dropped_label")
    minutes = hh * 60 + mm
    return count - drop * (minutes - minutes // 10)


def frames_to_timecode(frames: int, rate: Fraction, *, drop_frame: bool = False) -> str:
    """A frame count since 00:00:00:00 → its label, drop-frame (`;`) when asked and the rate
    allows it; hours wrap at 24 as on tape."""
    base = timecode_base(rate)
    frames = max(0, int(frames))
    drop_frame = drop_frame and rate in DROP_FRAME_RATES
    if drop_frame:
        drop = base // 15
        per_minute = base * 60 - drop
        per_ten = base * 600 - drop * 9
        tens, rest = divmod(frames, per_ten)
        frames += drop * 9 * tens + (drop * ((rest - drop) // per_minute) if rest > drop else 0)
    ff = frames % base
    seconds = frames // base
    return (f"{seconds // 3600 % 24:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            f"{';' if drop_frame else ':'}{ff:02d}")

