"""The files a player reads beside the encoded media, written after the one ffmpeg run:
the HLS master playlist, storyboard sheets and their WebVTT track, waveform peaks.

Sources of the formats:
- HLS: RFC 8216 (§4.3.4.1 EXT-X-MEDIA, §4.3.4.2 EXT-X-STREAM-INF: BANDWIDTH is the peak
  segment bit rate of the variant *with* the largest rendition of its audio group,
  AVERAGE-BANDWIDTH the average; CODECS per RFC 6381: `avc1.PPCCLL` from the avcC box of the
  init segment, `mp4a.40.2` for AAC-LC, which ffmpeg's encoder writes).
- Storyboard: WebVTT (W3C) cues whose text is `sprite_{k}.jpg#xywh=x,y,w,h` (W3C Media
  Fragments URI 1.0, spatial dimension).
- Waveform: BBC audiowaveform's JSON data format, version 2
  (https://github.com/bbc/audiowaveform/blob/master/doc/DataFormat.md).
"""
from __future__ import annotations

import glob
import json
import math
import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
from babel import Locale, UnknownLocaleError
from PIL import Image

from archive.media.runner import MediaError

if TYPE_CHECKING:
    from archive.media.commands import Rung
    from archive.media.profiles import StoryboardProfile, WaveformProfile
    from archive.media.streams import AudioStream

AAC_LC = "mp4a.40.2"
AUDIO_GROUP = "audio"
_EXTINF = re.compile(r"^#EXTINF:([0-9.]+)")


# ---- HLS -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MediaPlaylist:
    """What a media playlist written by ffmpeg says: its segments (uri, seconds) and their
    bit rates measured from the files (bit/s)."""

    segments: tuple[tuple[str, float], ...]
    peak_bps: int
    average_bps: int

    @property
    def duration(self) -> float:
        return sum(seconds for _uri, seconds in self.segments)


def read_media_playlist(path: str) -> MediaPlaylist:
    """Parse a media playlist ffmpeg wrote and measure its segments. MediaError when a
    segment it names is missing or it names none."""
    segments: list[tuple[str, float]] = []
    pending: float | None = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            match = _EXTINF.match(line)
            if match:
                pending = float(match.group(1))
            elif line and not line.startswith("#") and pending is not None:
                segments.append((line, pending))
                pending = None
    if not segments:
        raise MediaError(f"{os.path.basename(os.path.dirname(path))}: the playlist names no segment")
    folder = os.path.dirname(path)
    peak, total_bits, total_seconds = 0.0, 0, 0.0
    for uri, seconds in segments:
        try:
            bits = os.path.getsize(os.path.join(folder, uri)) * 8
        except OSError:
            raise MediaError(f"the HLS segment {uri} was not written") from None
        total_bits += bits
        total_seconds += seconds
        if seconds > 0.5:  # a last sliver of a segment says nothing of the rate
            peak = max(peak, bits / seconds)
    average = total_bits / total_seconds if total_seconds > 0 else 0.0
    return MediaPlaylist(tuple(segments), int(math.ceil(max(peak, average))), int(math.ceil(average)))


def avc_codec(init_path: str) -> str:
    """RFC 6381 `avc1.PPCCLL` from the avcC box of an fMP4 init segment (ISO/IEC 14496-15
    §5.3.3.1: version, profile, compatibility, level). MediaError without one."""
    with open(init_path, "rb") as fh:
        data = fh.read(1 << 20)
    at = data.find(b"avcC")
    if at < 0 or len(data) < at + 8:
        raise MediaError(f"{init_path}: no avcC box in the init segment")
    return "avc1." + data[at + 5:at + 8].hex()


def language_name(code: str | None) -> str | None:
    """A language's own name for itself, capitalised as a menu item: 'tr' → 'Türkçe',
    'az' → 'Azərbaycan'; None when CLDR does not know the tag."""
    if not code:
        return None
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    name = locale.get_display_name(locale) or locale.get_language_name(locale)
    return name[:1].upper() + name[1:] if name else None


def audio_names(tracks: Sequence["AudioStream | None"]) -> list[tuple[str | None, str]]:
    """(LANGUAGE, NAME) for each audio track: the RFC 5646 tag, and the language's own name
    (else the track title, else 'Audio n'); NAME is made unique within the group, as
    RFC 8216 §4.3.4.1.1 requires, by adding the title or the track number."""
    named: list[tuple[str | None, str]] = []
    for n, track in enumerate(tracks):
        language = track.language_code if track is not None else None
        title = _text(track.title) if track is not None else ""
        name = language_name(language) or title or f"Audio {n + 1}"
        named.append((language, name))
    seen: dict[str, int] = {}
    for _language, name in named:
        seen[name] = seen.get(name, 0) + 1
    out = []
    for n, ((language, name), track) in enumerate(zip(named, tracks)):
        if seen[name] > 1:
            title = _text(track.title) if track is not None else ""
            name = f"{name} ({title})" if title and title != name else f"{name} {n + 1}"
        out.append((language, name))
    return out


def _text(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isprintable()).strip()[:100]


def _quoted(value: str) -> str:
    # RFC 8216 §4.2: a quoted-string has no double quote, CR or LF.
    return '"' + value.replace('"', "'").replace("\r", " ").replace("\n", " ") + '"'


def close_media_playlist(path: str) -> None:
    """Turn the EVENT media playlist ffmpeg ended (`#EXT-X-ENDLIST`) into a VOD one
    (RFC 8216 §4.3.3.5: a VOD playlist cannot change). MediaError when ffmpeg did not end it."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if "#EXT-X-ENDLIST" not in text:
        raise MediaError(f"{os.path.basename(os.path.dirname(path))}: ffmpeg did not end the playlist")
    closed = re.sub(r"(?m)^#EXT-X-PLAYLIST-TYPE:EVENT\s*$", "#EXT-X-PLAYLIST-TYPE:VOD", text)
    if closed != text:
        with open(path + ".vod", "w", encoding="utf-8") as fh:
            fh.write(closed)
        os.replace(path + ".vod", path)


def write_master(folder: str, rungs: Sequence["Rung"], tracks: Sequence["AudioStream | None"]) -> str:
    """Write `folder/master.m3u8` (`master_playlist`); return its text."""
    text = master_playlist(folder, rungs, tracks)
    with open(os.path.join(folder, "master.m3u8"), "w", encoding="utf-8") as fh:
        fh.write(text)
    return text


def master_playlist(folder: str, rungs: Sequence["Rung"], tracks: Sequence["AudioStream | None"]) -> str:
    """The master playlist of the rungs' and tracks' media playlists ffmpeg wrote in `folder`
    (complete ones, or those of a make still running: rates are then those of the segments
    made so far). Variants are listed best first; the first audio track is DEFAULT.
    MediaError when a media playlist names no segment or a segment is missing."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    audio_peak = audio_average = 0
    for n, ((language, name), _track) in enumerate(zip(audio_names(tracks), tracks)):
        playlist = read_media_playlist(os.path.join(folder, f"audio_{n}", "index.m3u8"))
        audio_peak, audio_average = max(audio_peak, playlist.peak_bps), max(audio_average, playlist.average_bps)
        attrs = [f"TYPE=AUDIO", f"GROUP-ID={_quoted(AUDIO_GROUP)}"]
        if language:
            attrs.append(f"LANGUAGE={_quoted(language)}")
        attrs += [f"NAME={_quoted(name)}", f"DEFAULT={'YES' if n == 0 else 'NO'}", "AUTOSELECT=YES"]
        if _track is not None and _track.channels:
            attrs.append(f"CHANNELS={_quoted(str(min(_track.channels, 2)))}")
        attrs.append(f"URI={_quoted(f'audio_{n}/index.m3u8')}")
        lines.append("#EXT-X-MEDIA:" + ",".join(attrs))
    for rung in rungs:
        playlist = read_media_playlist(os.path.join(folder, rung.folder, "index.m3u8"))
        codecs = avc_codec(os.path.join(folder, rung.folder, "init.mp4"))
        if tracks:
            codecs += "," + AAC_LC
        attrs = [f"BANDWIDTH={playlist.peak_bps + audio_peak}",
                 f"AVERAGE-BANDWIDTH={playlist.average_bps + audio_average}",
                 f"RESOLUTION={rung.width}x{rung.height}", f"CODECS={_quoted(codecs)}"]
        if tracks:
            attrs.append(f"AUDIO={_quoted(AUDIO_GROUP)}")
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attrs), f"{rung.folder}/index.m3u8"]
    return "\n".join(lines) + "\n"


# ---- storyboard ----------------------------------------------------------------------------

def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def storyboard_cues(count: int, step: float, duration: float | None, size: tuple[int, int],
                    columns: int, rows: int) -> list[tuple[float, float, str]]:
    """(start, end, 'sprite_{k}.jpg#xywh=x,y,w,h') for `count` thumbnails taken every `step`
    seconds; the last cue ends at the duration (or one step on)."""
    per_sheet = columns * rows
    w, h = size
    cues = []
    for i in range(count):
        start = i * step
        end = start + step
        if duration and duration > start:
            end = min(end, duration)
        sheet, cell = divmod(i, per_sheet)
        row, col = divmod(cell, columns)
        cues.append((start, end, f"sprite_{sheet}.jpg#xywh={col * w},{row * h},{w},{h}"))
    return cues


def write_storyboard(folder: str, scratch: str, profile: "StoryboardProfile", duration: float | None,
                     size: tuple[int, int]) -> int:
    """Lay the thumbnails ffmpeg wrote to `scratch` on sheets (`sprite_{k}.jpg`, at most
    `columns` × `rows` each; the last sheet only as tall as its rows) and write
    `storyboard.vtt`; the number of thumbnails. MediaError when ffmpeg wrote none."""
    thumbs = sorted(glob.glob(os.path.join(scratch, "thumb_*.jpg")))
    if not thumbs:
        raise MediaError("ffmpeg wrote no storyboard thumbnail")
    w, h = size
    per_sheet = profile.columns * profile.rows
    for sheet, first in enumerate(range(0, len(thumbs), per_sheet)):
        batch = thumbs[first:first + per_sheet]
        used_rows = -(-len(batch) // profile.columns)
        cols = profile.columns if used_rows > 1 else len(batch)
        canvas = Image.new("RGB", (cols * w, used_rows * h))
        for cell, path in enumerate(batch):
            with Image.open(path) as tile:
                row, col = divmod(cell, profile.columns)
                canvas.paste(tile.convert("RGB").resize((w, h)), (col * w, row * h))
        canvas.save(os.path.join(folder, f"sprite_{sheet}.jpg"), "JPEG", quality=profile.jpeg_quality)
    step = profile.interval_for(duration)
    lines = ["WEBVTT", ""]
    for start, end, text in storyboard_cues(len(thumbs), step, duration, size, profile.columns, profile.rows):
        lines += [f"{_vtt_time(start)} --> {_vtt_time(end)}", text, ""]
    with open(os.path.join(folder, profile.entry), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return len(thumbs)


# ---- waveform ------------------------------------------------------------------------------

class PeakReader:
    """Reads signed 16-bit little-endian mono PCM from a named pipe in a thread and keeps
    (min, max) per `samples_per_pixel` samples, scaled to `bits` (8: −128..127)."""

    def __init__(self, path: str, samples_per_pixel: int, bits: int = 8):
        self.path, self.spp, self.bits = path, samples_per_pixel, bits
        self.mins: list[np.ndarray] = []
        self.maxs: list[np.ndarray] = []
        self.samples = 0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, daemon=True, name=f"peaks-{os.path.basename(path)}")

    def start(self) -> "PeakReader":
        self._thread.start()
        return self

    def _read(self) -> None:
        block = self.spp * 2 * 512  # bytes: 512 pixels a read
        rest = b""
        try:
            with open(self.path, "rb") as fh:  # blocks until ffmpeg opens the pipe (or `release`)
                while True:
                    data = fh.read(block)
                    if not data:
                        break
                    data = rest + data
                    whole = len(data) // (self.spp * 2) * (self.spp * 2)
                    self._reduce(data[:whole])
                    rest = data[whole:]
            if rest:
                self._reduce(rest[: len(rest) // 2 * 2])
        except BaseException as exc:  # kept for `result`
            self.error = exc

    def _reduce(self, data: bytes) -> None:
        if not data:
            return
        samples = np.frombuffer(data, dtype="<i2")
        self.samples += samples.size
        pad = (-samples.size) % self.spp
        if pad:  # the last pixel: what there is of it
            samples = np.concatenate([samples, np.repeat(samples[-1:], pad)])
        frames = samples.reshape(-1, self.spp)
        shift = 16 - self.bits
        self.mins.append(frames.min(axis=1).astype(np.int32) >> shift)
        self.maxs.append(frames.max(axis=1).astype(np.int32) >> shift)

    def release(self) -> None:
        """Unblock a reader still waiting for a writer (ffmpeg failed before opening the
        pipe), then wait for the thread."""
        if self._thread.is_alive():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
            except OSError:
                pass
        self._thread.join(timeout=30)

    def result(self) -> np.ndarray:
        """Interleaved [min0, max0, min1, max1, ...]; MediaError if reading failed."""
        if self.error is not None:
            raise MediaError(f"reading the waveform samples failed: {self.error}")
        if not self.mins:
            return np.zeros(0, dtype=np.int32)
        mins, maxs = np.concatenate(self.mins), np.concatenate(self.maxs)
        return np.column_stack([mins, maxs]).reshape(-1)


def waveform_document(peaks: np.ndarray, sample_rate: int, samples_per_pixel: int, bits: int) -> dict:
    """The audiowaveform version 2 JSON document of one mono channel."""
    return {"version": 2, "channels": 1, "sample_rate": sample_rate, "samples_per_pixel": samples_per_pixel,
            "bits": bits, "length": int(peaks.size // 2), "data": [int(v) for v in peaks]}


def waveform_name(n: int) -> str:
    return "waveform.json" if n == 0 else f"waveform_{n}.json"


def write_waveform(folder: str, n: int, document: dict) -> None:
    with open(os.path.join(folder, waveform_name(n)), "w", encoding="ascii") as fh:
        json.dump(document, fh, separators=(",", ":"))

