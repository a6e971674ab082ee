"""The MIME type of an audio/video file from what ffprobe found in its bytes, not from its name.

`content_type_for(format_name, major_brand, video_codec, audio_codecs)` → a MIME type, or None
for a container this table does not name (the caller then keeps what it had).
`same_type(a, b)`: whether two names are one type (`ALIASES`): a declared alias is no mistake.

Sources:
- the keys are the `format_name` ffprobe prints: the demuxer's `name` in libavformat
  (`AVInputFormat.name`: "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mpegts", "mxf", ...);
- the values are the IANA media types registry where a type is registered (video/mp4
  RFC 4337, video/quicktime, video/MP2T RFC 3555 (lower-cased, as types are case-blind),
  application/mxf RFC 4539, audio/mpeg RFC 3003, audio/ogg and video/ogg RFC 5334, audio/flac,
  audio/ac3 RFC 4184, video/mpeg RFC 2045, video/3gpp RFC 3839, audio/aac, audio/vnd.wave
  RFC 2361), else the `mime_type` of libavformat's muxer for that format (video/x-matroska,
  video/x-msvideo, video/x-flv, audio/x-aiff);
- ISO BMFF by the `ftyp` box's major brand (ISO/IEC 14496-12; the brands are registered at
  mp4ra.org): `qt  ` is QuickTime, `M4A `/`M4B ` audio MP4, `3gp*`/`3g2*` 3GPP, the rest MP4;
  no `ftyp` at all (no brand) is QuickTime: ISO BMFF makes the box mandatory (§4.3), and
  QuickTime files written before it existed (Apple's QuickTime File Format) have none;
- not named: Sony Wave64 (`w64`: no registered type, and no RIFF header, so neither a player
  nor C2PA reads it as WAV);
- WAV as `audio/wav`: the name browsers use (the registered `audio/vnd.wave` is rarely
  understood by players; Python's `mimetypes` says `audio/x-wav`: an alias, `ALIASES`);
- Matroska is WebM only when every stream is in WebM's codec list (the WebM container
  guidelines: VP8, VP9, AV1 video; Vorbis, Opus audio): ffprobe names both "matroska,webm".
A file with no picture gets the audio type of its container (audio/mp4, audio/x-matroska...).
"""
from __future__ import annotations

# format_name → (type with a picture, type without one)
BY_FORMAT: dict[str, tuple[str, str]] = {
    "mpegts": ("video/mp2t", "video/mp2t"),
    "mxf": ("application/mxf", "application/mxf"),
    "wav": ("audio/wav", "audio/wav"),
    "flac": ("audio/flac", "audio/flac"),
    "mp3": ("audio/mpeg", "audio/mpeg"),
    "aac": ("audio/aac", "audio/aac"),
    "ac3": ("audio/ac3", "audio/ac3"),
    "aiff": ("audio/x-aiff", "audio/x-aiff"),
    "ogg": ("video/ogg", "audio/ogg"),
    "avi": ("video/x-msvideo", "video/x-msvideo"),
    "flv": ("video/x-flv", "video/x-flv"),
    "mpeg": ("video/mpeg", "audio/mpeg"),
    "mpegvideo": ("video/mpeg", "video/mpeg"),
    "dv": ("video/dv", "video/dv"),
}
# Other names in use for a type of the table: Python's `mimetypes` (what a name declares,
# archive.ingest.services.guess_content_type), the IANA registry's, and the ones the c2pa
# library reads beside them (c2pa.Reader.get_supported_mime_types()).
ALIASES: dict[str, tuple[str, ...]] = {
    "audio/wav": ("audio/x-wav", "audio/wave", "audio/vnd.wave"),
    "audio/mpeg": ("audio/mp3", "audio/x-mp3", "audio/mpeg3"),
    "video/x-msvideo": ("video/avi", "video/msvideo"),
    "audio/x-aiff": ("audio/aiff",),
    "audio/flac": ("audio/x-flac",),
}
_CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
ISO_BMFF = "mov,mp4,m4a,3gp,3g2,mj2"
MATROSKA = "matroska,webm"
WEBM_CODECS = {"vp8", "vp9", "av1", "vorbis", "opus"}


def content_type_for(format_name: str | None, major_brand: str | None = None, video_codec: str | None = None,
                     audio_codecs: tuple[str, ...] = ()) -> str | None:
    """The MIME type of a file ffprobe read with the demuxer `format_name`; `major_brand` the
    ISO BMFF `ftyp` brand (ffprobe's format tag `major_brand`), `video_codec` the main
    picture's codec (None: no picture), `audio_codecs` every audio track's codec. None for a
    container not in the table (see the module docstring for the sources)."""
    picture = video_codec is not None
    if format_name == ISO_BMFF:
        brand = (major_brand or "").strip().lower()
        if brand in ("qt", ""):
            return "video/quicktime"
        if brand.startswith("3g2"):
            return "video/3gpp2" if picture else "audio/3gpp2"
        if brand.startswith("3gp"):
            return "video/3gpp" if picture else "audio/3gpp"
        return "video/mp4" if picture and brand not in ("m4a", "m4b") else "audio/mp4"
    if format_name == MATROSKA:
        codecs = {c for c in (video_codec, *audio_codecs) if c}
        webm = bool(codecs) and codecs <= WEBM_CODECS
        if webm:
            return "video/webm" if picture else "audio/webm"
        return "video/x-matroska" if picture else "audio/x-matroska"
    pair = BY_FORMAT.get(format_name or "")
    if pair is None:
        return None
    return pair[0] if picture else pair[1]


def same_type(a: str | None, b: str | None) -> bool:
    """Whether the MIME types `a` and `b` name one type: equal but for case, or aliases of
    one another (`ALIASES`: `audio/x-wav` is `audio/wav`)."""
    if not a or not b:
        return False
    a, b = a.strip().lower(), b.strip().lower()
    return _CANONICAL.get(a, a) == _CANONICAL.get(b, b)
