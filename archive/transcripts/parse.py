"""Reading subtitle files: SRT with `srt`, WebVTT with `webvtt-py`, into plain cues.

`parse(data, filename=None)` → (format, [Cue]) where format is "srt" or "vtt" (a file that
starts with `WEBVTT` after an optional byte order mark is WebVTT, anything else SRT). A file
the library refuses raises `SubtitleError` with the 1-based line of the fault; the
libraries report a character offset (srt) or the offending block or timestamp (webvtt-py),
from which the line is found in the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import srt
import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from archive.validation import disguise_error

MAX_CUES = 20_000  # a feature film has 1,500-2,000; a day of broadcast 20,000
MAX_CUE_TEXT = 2_000  # characters of one cue's text
# Cue markup (<i>, <b>, <v Speaker>, <00:00:01.000>, {\an8}): kept out of the searchable text.
_TAGS = re.compile(r"<[^>]{0,200}>|\{\\[^}]{0,200}\}")


# Why a file cannot be read (`SubtitleError.code`), each said in the pages' languages by
# archive.web.messages.SUBTITLE_REASONS: not UTF-8 (its line), a block that is no SRT cue, an SRT
# timing that is no timestamp, no WebVTT header, a WebVTT cue that cannot be read, no cue at
# all, more than MAX_CUES (`limit`), a cue that ends before it starts (`cue`), characters that
# can disguise a cue's text (`cue`, `characters`: archive.validation.disguise_error), a cue
# starting after the recording ends (`cue`, `seconds`: the recording's length).
REASONS = ("not_utf8", "srt_cue", "srt_timestamp", "vtt_file", "vtt_cue", "no_cues", "too_many_cues", "cue_reversed",
           "forbidden_characters", "cue_past_end")


class SubtitleError(ValueError):
    """A subtitle file that cannot be read; `line` is 1-based (None when it is the whole file),
    `code` one of REASONS, `params` what its sentence names."""

    def __init__(self, message: str, line: int | None = None, *, code: str | None = None,
                 params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str


def detect_format(text: str) -> str:
    return "vtt" if text.lstrip("\ufeff").startswith("WEBVTT") else "srt"


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark); SubtitleError with the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubtitleError("The file is not UTF-8 text.", data[:exc.start].count(b"\n") + 1, code="not_utf8") from None


def parse(data: bytes, length_ms: int | None = None) -> tuple[str, list[Cue]]:
    """(format, cues in file order); SubtitleError for a file that is not UTF-8, not SRT or
    WebVTT, has no cue, more than MAX_CUES cues, a cue that ends before it starts, or, when the
    recording's length is known (`length_ms`, milliseconds), a cue that starts at or after its
    end (`cue_past_end`: a file made for another cut or another recording; a last cue running
    past the end is usual and kept)."""
    text = decode(data).replace("\x00", "")
    fmt = detect_format(text)
    cues = _parse_vtt(text) if fmt == "vtt" else _parse_srt(text)
    if not cues:
        raise SubtitleError("The file holds no subtitle cue.", code="no_cues")
    if length_ms is not None:
        late = next((i for i, c in enumerate(cues) if c.start_ms >= length_ms), None)
        if late is not None:
            raise SubtitleError(f"Cue {late + 1} starts after the end of the recording ({length_ms / 1000:.3f} s).",
                                _timing_line(text, late), code="cue_past_end",
                                params={"cue": late + 1, "seconds": round(length_ms / 1000, 3)})
    return fmt, cues


def _clean(text: str) -> str:
    return " ".join(_TAGS.sub("", text).split())[:MAX_CUE_TEXT]


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


def _parse_srt(text: str) -> list[Cue]:
    cues: list[Cue] = []
    try:
        for sub in srt.parse(text):
            cues.append(_cue(sub.start.total_seconds(), sub.end.total_seconds(), sub.content, text, len(cues)))
            if len(cues) > MAX_CUES:
                raise SubtitleError(f"The file holds more than {MAX_CUES} cues.", code="too_many_cues",
                                    params={"limit": MAX_CUES})
    except srt.SRTParseError as exc:
        raise SubtitleError(f"Not a valid SRT cue: {exc.unmatched_content.strip()[:80]!r}.",
                            _srt_fault_line(text, exc.expected_start, exc.unmatched_content), code="srt_cue") from None
    except srt.TimestampParseError as exc:
        raise SubtitleError(f"Not a valid SRT timestamp: {exc}.", _find_line(text, str(exc)),
                            code="srt_timestamp") from None
    return cues


def _srt_fault_line(text: str, start: int, unmatched: str) -> int:
    """The line of an SRT block srt could not match: its first line that is not blank and
    not a bare cue number (the number is fine; its timing line, or what stands there, is not)."""
    line = _line_at(text, start)
    for offset, content in enumerate(unmatched.split("\n")):
        if content.strip() and not content.strip().isdigit():
            return line + offset
    return line


def _parse_vtt(text: str) -> list[Cue]:
    try:
        captions = webvtt.from_string(text, strict=True).captions
    except MalformedFileError as exc:
        raise SubtitleError(f"Not a valid WebVTT file: {exc}.", 1, code="vtt_file") from None
    except MalformedCaptionError as exc:
        raise SubtitleError(f"Not a valid WebVTT cue: {str(exc)[:200]}.", _find_line(text, str(exc)),
                            code="vtt_cue") from None
    if len(captions) > MAX_CUES:
        raise SubtitleError(f"The file holds more than {MAX_CUES} cues.", code="too_many_cues",
                            params={"limit": MAX_CUES})
    return [_cue(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.text, text, i)
            for i, c in enumerate(captions)]


def _cue(start: float, end: float, content: str, text: str, ordinal: int) -> Cue:
    start_ms, end_ms = round(start * 1000), round(end * 1000)
    if start_ms < 0 or end_ms < start_ms:
        raise SubtitleError(f"Cue {ordinal + 1} ends before it starts.", _timing_line(text, ordinal),
                            code="cue_reversed", params={"cue": ordinal + 1})
    problem = disguise_error(f"cue {ordinal + 1}", content)
    if problem is not None:
        raise SubtitleError(problem.message[0].upper() + problem.message[1:], _timing_line(text, ordinal),
                            code=problem.code, params={**problem.params, "cue": ordinal + 1})
    return Cue(start_ms, end_ms, _clean(content))


def _timing_line(text: str, ordinal: int) -> int | None:
    """The 1-based line of the `ordinal`-th (0-based) cue timing line (`... --> ...`)."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if "-->" in line:
            seen += 1
            if seen == ordinal:
                return number
    return None


_QUOTED = re.compile(r"'((?:[^'\\]|\\.){1,200})'")


def _find_line(text: str, message: str) -> int | None:
    """The 1-based line of the fault a library's error message quotes: a bad timestamp, or the
    lines of a cue block (webvtt-py quotes them all). A block whose last quoted line is a
    timing line ran into the next cue without an empty line: that line is the fault;
    otherwise the block's first line is."""
    fragments = [f.replace("\\'", "'") for f in _QUOTED.findall(message) if f.strip()]
    if not fragments:
        return None
    block_at = text.find("\n".join(fragments))
    if "block" in message and len(fragments) > 1 and "-->" in fragments[-1]:
        if block_at >= 0:
            return _line_at(text, block_at) + len(fragments) - 1
        at = text.find(fragments[-1])
        return _line_at(text, at) if at >= 0 else None
    at = block_at if block_at >= 0 else text.find(fragments[0])
    return _line_at(text, at) if at >= 0 else None
