"""Stream language tags: ISO 639-2 as containers write them, normalised, and named for a page.

Containers tag tracks with ISO 639-2 codes (MP4/MOV `mdhd`, Matroska `Language`, MPEG-TS
descriptors), in either the terminology (T: `deu`) or the bibliographic (B: `ger`) form,
sometimes with a region (`en-US`), often `und`. Two normal forms are derived here:

- `normalise_language`: the RFC 5646 (BCP 47) tag, which uses the ISO 639-1 two-letter code
  where one exists (`tur` → `tr`, `ger` → `de`) and the ISO 639-3/639-5 code otherwise
  (`ast`, `afa`); what HLS `LANGUAGE=` and HTML `lang=` expect.
- `iso639_2t`: the three-letter terminology code, which ISO/IEC 14496-12 requires in an MP4
  `mdhd` box (`ger` → `deu`).

Both come from the ISO 639 tables shipped by `pycountry` (the page names languages in
`archive.web.present`).
"""
from __future__ import annotations

import functools
import re

import pycountry

# ISO 639-2 reserves qaa–qtz for local use; RFC 5646 keeps them as private-use primary subtags.
_LOCAL_USE = re.compile(r"^q[a-t][a-z]$")
# 'und' (undetermined) says no more than a missing tag; 'zxx' (no linguistic content) and
# 'mul' (multiple languages) do say something and are kept.
NO_LANGUAGE = {"und", ""}
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|[0-9]{3}))?$")


@functools.lru_cache(maxsize=1024)
def _lookup(code: str):
    """The pycountry record for a 2- or 3-letter ISO 639 code (639-1, 639-2/T, 639-2/B, 639-3, 639-5)."""
    code = code.lower()
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    return (pycountry.languages.get(alpha_3=code) or pycountry.languages.get(bibliographic=code)
            or pycountry.language_families.get(alpha_3=code))


def _primary(code: str) -> str | None:
    code = code.lower()
    if _LOCAL_USE.match(code):
        return code
    record = _lookup(code)
    if record is None:
        return None
    return getattr(record, "alpha_2", None) or record.alpha_3


def normalise_language(tag: object) -> str | None:
    """An ISO 639 tag as found in a file → its RFC 5646 form, or None.

    'tur' → 'tr', 'AZE' → 'az', 'ger' → 'de', 'ast' → 'ast', 'en-us' → 'en-US',
    'und'/''/None/'xx'/'english' → None (undetermined or not an ISO 639 code).
    """
    if not isinstance(tag, str):
        return None
    match = _TAG.match(tag.strip())
    if match is None or match.group(1).lower() in NO_LANGUAGE:
        return None
    primary = _primary(match.group(1))
    if primary is None:
        return None
    script, region = match.group(2), match.group(3)
    return "-".join(p for p in (primary, script.title() if script else None,
                                region.upper() if region else None) if p)


def iso639_2t(tag: object) -> str | None:
    """The ISO 639-2/T code for a tag ('ger' → 'deu', 'tr' → 'tur'), or None when there is none."""
    code = normalise_language(tag)
    if code is None:
        return None
    primary = code.split("-", 1)[0]
    if _LOCAL_USE.match(primary):
        return primary
    record = _lookup(primary)
    return record.alpha_3 if record is not None else None
