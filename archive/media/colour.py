"""Colour for previews: HDR tone-mapped to SDR BT.709, wide gamut converted, every output tagged.

A proxy and a poster are 8-bit SDR for browsers and JPEG. What the source is decides the
filters (pure data, tested without ffmpeg):

- HDR (transfer PQ or HLG, see `archive.media.streams.hdr_kind`): zimg (`zscale`) makes the
  picture linear light with 1.0 = `REFERENCE_WHITE` cd/m² and converts BT.2020 to BT.709
  primaries; `tonemap` compresses the range up to the content's peak (MaxCLL, else the
  mastering display's maximum, else `DEFAULT_PEAK`) with the Möbius curve, linear below
  `MOBIUS_KNEE` and rolling off above it; zimg applies the BT.709 transfer and matrix.
  Measured (benchmarks/tonemap.py, tests/unit/media/test_hdr.py) on one picture as SDR and
  as a BT.2020 PQ master graded per ITU-R BT.2408 (SDR white at 203 cd/m²), the PQ poster
  against the SDR poster, mean luma / 95th percentile luma: Möbius at 0.5 −2…+2 % / −3…−4 %;
  tonemap's default 0.3 −5 % / −7 %; Hable (zscale's documented example) −22 % / −24 %; no
  tone mapping −12 % / −36 % and saturation −56 %. It costs 2.5× the CPU of the SDR proxy
  of the same picture (1080p → 720p).
- SDR with wide-gamut primaries or a BT.2020 matrix: zimg converts it to BT.709.
- Other SDR (BT.709, BT.601 525/625, untagged): the pixels are left as they are and the
  output is tagged with what the source says, a field it leaves out being guessed the way
  players guess it (mpv `mp_csp_guess_colorspace`/`mp_csp_guess_primaries`: BT.709 for
  width ≥ 1280 or height > 576, else BT.601, 625-line primaries for 576 lines, 525-line
  for 480/486).

Names are ffmpeg's (ITU-T H.273), as ffprobe prints them and `-color_*` takes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.media.streams import HDR_TRANSFERS, UNSPECIFIED, WIDE_GAMUT_PRIMARIES

if TYPE_CHECKING:
    from archive.media.probe import ProbeResult

# cd/m² that linear 1.0 stands for; SDR white. zscale's own default, and tonemap's reference.
REFERENCE_WHITE = 100
# Peak to assume when the file gives none: HDR10 masters are mostly graded on 1000 cd/m²
# displays and ITU-R BT.2100 takes 1000 cd/m² as HLG's nominal display peak.
DEFAULT_PEAK = 1000
MOBIUS_KNEE = 0.5  # linear below 50 cd/m² (the module's docstring has the measurements)

# Values zscale accepts for its input description (ffmpeg 5.1 `-h filter=zscale`).
ZSCALE_PRIMARIES = {"bt709", "bt470m", "bt470bg", "smpte170m", "smpte240m", "film", "bt2020", "smpte428",
                    "smpte431", "smpte432", "jedec-p22", "ebu3213"}
ZSCALE_TRANSFERS = {"bt709", "bt470m", "bt470bg", "smpte170m", "linear", "log100", "log316", "bt2020-10",
                    "bt2020-12", "smpte2084", "iec61966-2-4", "iec61966-2-1", "arib-std-b67"}
ZSCALE_MATRICES = {"bt709", "fcc", "bt470bg", "smpte170m", "ycgco", "bt2020nc", "bt2020c", "chroma-derived-nc",
                   "chroma-derived-c", "ictcp"}
WIDE_GAMUT_MATRICES = {"bt2020nc", "bt2020c"}
RGB_PIX_FMT_PREFIXES = ("rgb", "bgr", "gbr", "argb", "abgr", "0rgb", "0bgr", "x2rgb", "x2bgr")


@dataclass(frozen=True)
class OutputColour:
    """How an output's pixels are to be read: the tags written into the file."""

    primaries: str
    transfer: str
    matrix: str
    range: str = "tv"

    def args(self) -> list[str]:
        return ["-color_primaries", self.primaries, "-color_trc", self.transfer,
                "-colorspace", self.matrix, "-color_range", self.range]


BT709 = OutputColour("bt709", "bt709", "bt709", "tv")


@dataclass(frozen=True)
class ColourPlan:
    """`scale_options` join the scaling step; `filters` follow it (cheaper at the output
    size); `pix_fmt` ends the chain; `output` is what the file is to be tagged with."""

    filters: tuple[str, ...]
    output: OutputColour
    pix_fmt: str | None = None  # None: the encoder's own choice
    scale_options: str = ""

    @property
    def mode(self) -> str:
        """'tonemap' (HDR), 'convert' (wide gamut), 'keep' (SDR pixels as they are)."""
        if any(f.startswith("tonemap=") for f in self.filters):
            return "tonemap"
        return "convert" if self.filters else "keep"


def _known(value: str | None, allowed: set[str]) -> str | None:
    return value if value not in UNSPECIFIED and value in allowed else None


def peak_luminance(probe: "ProbeResult") -> float:
    """The content's brightest level in cd/m², from its HDR metadata, else DEFAULT_PEAK."""
    video = probe.video_stream
    for value in ((video.max_cll, video.max_luminance) if video is not None else ()):
        if value and value > REFERENCE_WHITE:
            return float(min(value, 10000))  # PQ's ceiling
    return float(DEFAULT_PEAK)


def _primaries(probe: "ProbeResult") -> str:
    return _known(probe.color_primaries, ZSCALE_PRIMARIES) or "bt2020"


def _source(probe: "ProbeResult", *, transfer: str) -> str:
    """zscale's description of the input, stated rather than read from each frame: zimg
    finds "no path between colorspaces" for frames whose tags are missing."""
    return (f"tin={transfer}:pin={_primaries(probe)}"
            f":min={_known(probe.color_space, ZSCALE_MATRICES) or 'bt2020nc'}"
            f":rin={probe.color_range if probe.color_range in ('tv', 'pc') else 'tv'}")


def tone_map_filters(probe: "ProbeResult", out: OutputColour | None = None) -> tuple[str, ...]:
    """zscale → linear float → BT.709 primaries → Möbius tone map → BT.709 transfer, `out`'s
    matrix and range."""
    transfer = {"pq": "smpte2084", "hlg": "arib-std-b67"}[probe.hdr or "pq"]
    peak = peak_luminance(probe) / REFERENCE_WHITE
    # One zimg pass linearises and converts the primaries (measured 10 % less CPU than two);
    # it states its output primaries, since zscale takes an unstated output property from
    # the frame and an untagged frame would leave zimg no path.
    return (f"zscale={_source(probe, transfer=transfer)}:t=linear:p=bt709:npl={REFERENCE_WHITE}",
            "format=gbrpf32le", f"tonemap=mobius:param={MOBIUS_KNEE}:desat=0:peak={peak:g}",
            f"zscale=t=bt709:m={(out or BT709).matrix}:r={(out or BT709).range}")


def gamut_filters(probe: "ProbeResult", out: OutputColour | None = None) -> tuple[str, ...]:
    source = _source(probe, transfer=_known(probe.color_transfer, ZSCALE_TRANSFERS) or "bt709")
    return (f"zscale={source}:t=bt709:p=bt709:m={(out or BT709).matrix}:r={(out or BT709).range}",)


def guessed_tags(probe: "ProbeResult") -> OutputColour:
    """The source's own SDR tags; a missing one from the other tags, else from the frame size."""
    width, height = probe.width or 0, probe.height or 0
    hd = width >= 1280 or height > 576
    primaries = probe.color_primaries if probe.color_primaries not in UNSPECIFIED else None
    matrix = probe.color_space if probe.color_space not in UNSPECIFIED else None
    transfer = probe.color_transfer if probe.color_transfer not in UNSPECIFIED else None
    # mpv's guesses by size: (matrix, primaries)
    by_size = ("bt709", "bt709") if hd else ("bt470bg", "bt470bg") if height == 576 else \
        ("smpte170m", "smpte170m") if height in (480, 486) else ("smpte170m", "bt709")
    if primaries is None:
        primaries = _FAMILY.get(matrix or "", by_size[1])
    if (probe.pix_fmt or "").startswith(RGB_PIX_FMT_PREFIXES) or matrix == "gbr":
        matrix = "smpte170m"  # swscale turns RGB into YCbCr with the BT.601 matrix
    elif matrix is None:
        matrix = _FAMILY.get(probe.color_primaries or "", by_size[0])
    if transfer is None:
        transfer = "bt709" if primaries == "bt709" else "smpte170m"
    return OutputColour(primaries, transfer, matrix, "tv")


# The BT.709 / BT.601-625 / BT.601-525 families: a matrix and the primaries that go with it.
_FAMILY = {"bt709": "bt709", "bt470bg": "bt470bg", "smpte170m": "smpte170m"}


# swscale's names for the matrices it converts between (`scale=in_color_matrix=...`).
SWSCALE_MATRICES = {"bt709": "bt709", "bt470bg": "bt470", "smpte170m": "smpte170m", "fcc": "fcc",
                    "smpte240m": "smpte240m"}
# JPEG (JFIF 1.02) stores full-range YCbCr with the BT.601 matrix; BT.709 pixels written as
# they are come out with a colour cast in every viewer (measured on testsrc2: mean error of a
# channel 15–23 of 255, under 3 with this conversion; tests/unit/media/test_hdr.py).
JFIF = OutputColour("bt709", "bt709", "smpte170m", "pc")


def plan(probe: "ProbeResult", *, pix_fmt: str = "yuv420p") -> ColourPlan:
    """What to do to the source's colour for an 8-bit BT.709 preview in `pix_fmt`, and its tags."""
    if probe.hdr in HDR_TRANSFERS.values():
        return ColourPlan(tone_map_filters(probe), BT709, pix_fmt)
    if probe.color_primaries in WIDE_GAMUT_PRIMARIES or probe.color_space in WIDE_GAMUT_MATRICES:
        return ColourPlan(gamut_filters(probe), BT709, pix_fmt)
    return ColourPlan((), guessed_tags(probe), pix_fmt)


def jpeg_plan(probe: "ProbeResult") -> ColourPlan:
    """The same for a JPEG poster: HDR tone-mapped, every source converted to JFIF's
    BT.601 full-range YCbCr."""
    if probe.hdr in HDR_TRANSFERS.values():
        return ColourPlan(tone_map_filters(probe, JFIF), JFIF, "yuvj420p")
    if probe.color_primaries in WIDE_GAMUT_PRIMARIES or probe.color_space in WIDE_GAMUT_MATRICES:
        return ColourPlan(gamut_filters(probe, JFIF), JFIF, "yuvj420p")
    source = guessed_tags(probe).matrix
    rgb = (probe.pix_fmt or "").startswith(RGB_PIX_FMT_PREFIXES) or probe.color_space == "gbr"
    options = "" if rgb or source not in SWSCALE_MATRICES else f":in_color_matrix={SWSCALE_MATRICES[source]}"
    return ColourPlan((), JFIF, "yuvj420p", f"{options}:out_color_matrix=bt601:out_range=full")
