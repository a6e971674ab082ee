"""Every stream of a media file, as ffprobe describes it: video, audio, subtitle, data, attachment.

`parse_streams(ffprobe_json["streams"])` is pure (testable as data). Each stream keeps its
container index (`index`: what `-map 0:<index>` selects), its codec, its language tag as
written (`language`, ISO 639-2) and normalised (`language_code`, RFC 5646; see
`archive.media.languages`), its title and its default/forced disposition, plus what its
type adds. `to_dict`/`stream_from_dict` are the JSON shape stored in `assets.technical`
(None fields left out).

HDR is read from the transfer characteristic (ITU-T H.273 / ffmpeg's names): `smpte2084`
is PQ (SMPTE ST 2084, used by HDR10 and Dolby Vision), `arib-std-b67` is HLG (ARIB STD-B67,
ITU-R BT.2100). Both are normally paired with `bt2020` primaries.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import ClassVar

from archive.media.languages import normalise_language
from archive.media.timecode import normalise_timecode, parse_rate, parse_ratio, parse_seconds

HDR_TRANSFERS = {"smpte2084": "pq", "arib-std-b67": "hlg"}
# Primaries wider than BT.709 that an 8-bit BT.709 proxy must convert, not just relabel.
WIDE_GAMUT_PRIMARIES = {"bt2020", "smpte431", "smpte432", "smpte428"}
# What ffprobe prints for "not said".
UNSPECIFIED = {None, "", "none", "unknown", "unspecified", "reserved", "reserved0"}
INTERLACED_ORDERS = {"tt", "bb", "tb", "bt"}
# MP4/MOV keep a track's name in its handler box ('hdlr'), which ffprobe reports as
# `handler_name`; muxers fill it with their own label when there is no name: ffmpeg
# 'SoundHandler'/'VideoHandler', Apple 'Core Media Audio', GPAC 'GPAC ISO Audio Handler',
# 'Mainconcept MP4 Sound Media Handler', ... A handler name that is not such a label is a title.
_GENERIC_HANDLER = re.compile(r"(?i)(handler|^core media \w+|^(sound|video|audio|text|subtitle|timecode|data)"
                              r"(\s*media)?|^(mp4|iso media)\s.*)$")
MAX_TEXT = 500  # characters kept of a title or a language tag


def hdr_kind(transfer: str | None) -> str | None:
    """'pq' for SMPTE ST 2084, 'hlg' for ARIB STD-B67, else None (SDR or unknown)."""
    return HDR_TRANSFERS.get(transfer or "")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _said(value) -> str | None:
    return None if value in UNSPECIFIED else str(value)


@dataclass(frozen=True, kw_only=True)
class Stream:
    type: ClassVar[str] = "data"
    index: int
    codec: str | None = None
    codec_long: str | None = None
    codec_tag: str | None = None  # the container's four-character code ('avc1', 'tmcd'), when printable
    language: str | None = None  # as the container says: ISO 639-2 ('tur', 'ger', 'und')
    language_code: str | None = None  # RFC 5646 ('tr', 'de'); None when undetermined
    title: str | None = None
    default: bool = False
    forced: bool = False

    def to_dict(self) -> dict:
        """The JSON shape: {"type": ..., "index": ..., ...}; None and false flags left out
        (but `default` and `forced`, which say something either way)."""
        data: dict = {"type": self.type}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (value is False and f.name not in ("default", "forced")):
                continue
            data[f.name] = value
        return data


@dataclass(frozen=True, kw_only=True)
class VideoStream(Stream):
    type: ClassVar[str] = "video"
    profile: str | None = None
    width: int | None = None
    height: int | None = None
    display_width: int | None = None  # after sample aspect ratio and rotation
    display_height: int | None = None
    rotation: int = 0
    frame_rate: str | None = None  # exact, as a fraction: '30000/1001'
    frame_rate_float: float | None = None
    pix_fmt: str | None = None
    bit_depth: int | None = None
    color_primaries: str | None = None  # ffmpeg's names (ITU-T H.273): 'bt709', 'bt2020'
    color_transfer: str | None = None  # 'bt709', 'smpte2084', 'arib-std-b67'
    color_space: str | None = None  # the matrix: 'bt709', 'bt2020nc', 'smpte170m'
    color_range: str | None = None  # 'tv' (limited) or 'pc' (full)
    field_order: str | None = None  # 'progressive', 'tt', 'bb', 'tb', 'bt'
    interlaced: bool = False
    hdr: str | None = None  # 'pq' | 'hlg' | None
    max_luminance: float | None = None  # cd/m², from mastering display metadata
    max_cll: int | None = None  # cd/m², MaxCLL from content light level metadata
    dolby_vision_profile: int | None = None
    closed_captions: bool = False  # CEA-608/708 carried inside the video
    cover_art: bool = False  # an attached picture (album art, a thumbnail), not moving video
    # The stream's own length, where the container says it (MP4/MOV: its sample count): the
    # container's duration runs to its longest stream, often audio a frame or two longer.
    frames: int | None = None  # ffprobe `nb_frames`
    duration: float | None = None  # seconds, ffprobe's stream `duration`


@dataclass(frozen=True, kw_only=True)
class AudioStream(Stream):
    type: ClassVar[str] = "audio"
    profile: str | None = None
    channels: int | None = None
    channel_layout: str | None = None  # ffmpeg's name: 'mono', 'stereo', '5.1(side)'
    sample_rate: int | None = None  # Hz
    bit_rate: int | None = None  # bit/s


@dataclass(frozen=True, kw_only=True)
class SubtitleStream(Stream):
    type: ClassVar[str] = "subtitle"
    hearing_impaired: bool = False


@dataclass(frozen=True, kw_only=True)
class DataStream(Stream):
    type: ClassVar[str] = "data"
    timecode: str | None = None  # a tmcd track's start timecode


@dataclass(frozen=True, kw_only=True)
class AttachmentStream(Stream):
    type: ClassVar[str] = "attachment"
    filename: str | None = None
    mimetype: str | None = None


STREAM_TYPES: dict[str, type[Stream]] = {cls.type: cls for cls in
                                         (VideoStream, AudioStream, SubtitleStream, DataStream, AttachmentStream)}


def _codec_tag(s: dict) -> str | None:
    # MOV's tmcd and other data tracks have no decoder, only a four-character code.
    tag = s.get("codec_tag_string")
    return tag if isinstance(tag, str) and len(tag) == 4 and tag.isalnum() else None


def _text(value) -> str | None:
    return value.strip()[:MAX_TEXT] or None if isinstance(value, str) else None


def _title(tags: dict) -> str | None:
    title = _text(tags.get("title"))
    if title is None:
        handler = _text(tags.get("handler_name"))
        if handler and not _GENERIC_HANDLER.search(handler):
            title = handler
    return title


def _common(s: dict, *, tag_as_codec: bool = False) -> dict:
    # Matroska writes tag names in capitals (TITLE, LANGUAGE ...) for some tags.
    tags = {str(k).lower(): v for k, v in (s.get("tags") or {}).items()}
    disposition = s.get("disposition") or {}
    language = _text(tags.get("language"))
    index = _int(s.get("index"))
    return dict(index=index if index is not None else -1,
                codec=_said(s.get("codec_name")) or (_codec_tag(s) if tag_as_codec else None),
                codec_long=_said(s.get("codec_long_name")), codec_tag=_codec_tag(s),
                language=language, language_code=normalise_language(language),
                title=_title(tags),
                default=bool(disposition.get("default")), forced=bool(disposition.get("forced")))


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                return int(round(float(side["rotation"]))) % 360
            except (TypeError, ValueError):
                return 0
    tag = (stream.get("tags") or {}).get("rotate")
    return int(tag) % 360 if isinstance(tag, str) and tag.lstrip("-").isdigit() else 0


def _bit_depth(s: dict) -> int | None:
    # bits_per_raw_sample is the coded depth where the decoder reports it (ProRes, H.264);
    # otherwise the pixel format names it ('yuv420p10le' → 10).
    depth = _int(s.get("bits_per_raw_sample"))
    if depth:
        return depth
    pix_fmt = s.get("pix_fmt") or ""
    for bits in (16, 14, 12, 10, 9):
        if f"p{bits}" in pix_fmt or pix_fmt.endswith(f"{bits}le") or pix_fmt.endswith(f"{bits}be"):
            return bits
    return 8 if pix_fmt else None


def _luminance(side: dict) -> float | None:
    # ffprobe prints the rational as '10000000/10000' (cd/m²).
    value = side.get("max_luminance")
    rate = parse_rate(value) if isinstance(value, str) else None
    if rate is None:
        try:
            rate = float(value) if value is not None else None
        except (TypeError, ValueError):
            rate = None
    return round(float(rate), 3) if rate else None


def _video(s: dict) -> VideoStream:
    width, height = _int(s.get("width")), _int(s.get("height"))
    rate = parse_rate(s.get("avg_frame_rate")) or parse_rate(s.get("r_frame_rate"))
    rotation = _rotation(s)
    dw, dh = width, height
    sar = parse_ratio(s.get("sample_aspect_ratio"))
    if width and height and sar and sar != 1:
        dw = int(round(width * sar))
    if rotation in (90, 270):
        dw, dh = dh, dw
    side_data = {str(d.get("side_data_type")): d for d in s.get("side_data_list") or [] if isinstance(d, dict)}
    mastering = side_data.get("Mastering display metadata") or {}
    light = side_data.get("Content light level metadata") or {}
    dovi = side_data.get("DOVI configuration record") or {}
    transfer = _said(s.get("color_transfer"))
    field_order = _said(s.get("field_order"))
    return VideoStream(**_common(s), profile=_said(s.get("profile")), width=width, height=height,
                       display_width=dw, display_height=dh, rotation=rotation,
                       frame_rate=f"{rate.numerator}/{rate.denominator}" if rate else None,
                       frame_rate_float=round(float(rate), 3) if rate else None,
                       pix_fmt=_said(s.get("pix_fmt")), bit_depth=_bit_depth(s),
                       color_primaries=_said(s.get("color_primaries")), color_transfer=transfer,
                       color_space=_said(s.get("color_space")), color_range=_said(s.get("color_range")),
                       field_order=field_order, interlaced=field_order in INTERLACED_ORDERS,
                       hdr=hdr_kind(transfer), max_luminance=_luminance(mastering),
                       max_cll=_int(light.get("max_content")) or None,
                       dolby_vision_profile=_int(dovi.get("dv_profile")),
                       closed_captions=bool(s.get("closed_captions")),
                       cover_art=bool((s.get("disposition") or {}).get("attached_pic")),
                       frames=_positive(_int(s.get("nb_frames"))), duration=parse_seconds(s.get("duration")) or None)


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


def _audio(s: dict) -> AudioStream:
    return AudioStream(**_common(s), profile=_said(s.get("profile")), channels=_int(s.get("channels")),
                       channel_layout=_said(s.get("channel_layout")), sample_rate=_int(s.get("sample_rate")),
                       bit_rate=_int(s.get("bit_rate")))


def _subtitle(s: dict) -> SubtitleStream:
    return SubtitleStream(**_common(s), hearing_impaired=bool((s.get("disposition") or {}).get("hearing_impaired")))


def _data(s: dict) -> DataStream:
    return DataStream(**_common(s, tag_as_codec=True), timecode=normalise_timecode((s.get("tags") or {}).get("timecode")))


def _attachment(s: dict) -> AttachmentStream:
    tags = s.get("tags") or {}
    return AttachmentStream(**_common(s, tag_as_codec=True), filename=_said(tags.get("filename")), mimetype=_said(tags.get("mimetype")))


_PARSERS = {"video": _video, "audio": _audio, "subtitle": _subtitle, "data": _data, "attachment": _attachment}


def parse_streams(streams: list) -> tuple[Stream, ...]:
    """ffprobe's `streams` list → one Stream per entry, in container order.

    An entry of an unknown codec_type (ffprobe says 'unknown' for streams it cannot
    classify) is kept as a data stream, so the list never hides what the file holds.
    """
    out = []
    for s in streams or []:
        if isinstance(s, dict):
            out.append(_PARSERS.get(s.get("codec_type"), _data)(s))
    return tuple(out)


def stream_from_dict(data: dict) -> Stream | None:
    """The inverse of Stream.to_dict (unknown keys ignored); None for what is not a stream."""
    if not isinstance(data, dict):
        return None
    cls = STREAM_TYPES.get(data.get("type"))
    if cls is None or not isinstance(data.get("index"), int):
        return None
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError:
        return None


def main_video(streams: tuple[Stream, ...]) -> VideoStream | None:
    """The moving picture: the first video stream that is not cover art."""
    return next((s for s in streams if isinstance(s, VideoStream) and not s.cover_art), None)


def audio_tracks(streams: tuple[Stream, ...]) -> tuple[AudioStream, ...]:
    return tuple(s for s in streams if isinstance(s, AudioStream))
