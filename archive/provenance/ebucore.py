"""An asset's descriptive and technical metadata as EBUCore XML (namespace
urn:ebu:metadata-schema:ebucore, with Dublin Core elements inside, as EBU Tech 3293 does).

Source: EBU Tech 3293 "EBUCore metadata set" v1.10 (2020): `ebuCoreMain/coreMetadata` holding,
in the schema's order, title, subject, description, publisher, date, type, format, identifier,
language, relation, coverage, rights. Our fields map as:

- title (tr/az/en) → `title/dc:title` with `xml:lang`; description → `description/dc:description`;
- keywords → `subject typeLabel="keyword"`, people → `subject typeLabel="person"`;
- organisation → `publisher/organisationDetails/organisationName`;
- recorded (YYYY, YYYY-MM or YYYY-MM-DD) → `date/created` (`startYear`, and `startDate` when a day);
- genre → `type/genre typeLabel`;
- the probe (`assets.technical`) → `format`: `videoFormat` (width, height, frame rate, codec),
  `audioFormat` (codec, channels, sample rate), `containerFormat`, `duration/normalPlayTime`
  (ISO 8601), `fileSize`, `fileName`, `mimeType`, `hash` (SHA-256 recorded at store time);
- the asset id → `identifier typeLabel="Ortak asset id"`; languages → `language/dc:language`;
- a clip's master → `relation typeLabel="isVersionOf"` with the master's id, and the in/out;
- places → `coverage/spatial/location/name`;
- rights blocks → one `rights` each, `typeLabel` its kind (`dc:rights`: licensees, platforms,
  territories, window, exclusivity).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Iterable

from archive.assets.models import Asset

NS = "urn:ebu:metadata-schema:ebucore"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGS = ("tr", "az", "en")

ET.register_namespace("ebucore", NS)
ET.register_namespace("dc", DC)


def _sub(parent: ET.Element, tag: str, text: Any = None, ns: str = NS, **attrs: Any) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = str(text)
    return el


def _seconds_iso(seconds: float) -> str:
    return f"PT{seconds:.3f}S"


def ebucore_xml(asset: Asset, rights: Iterable[dict[str, Any]] = ()) -> bytes:
    """The EBUCore document of `asset` (UTF-8 bytes); `rights` are its blocks as
    `archive.rights.services.blocks_json` shows them."""
    meta = asset.meta or {}
    tech = asset.technical or {}
    root = ET.Element(f"{{{NS}}}ebuCoreMain", {"version": "1.10"})
    core = _sub(root, "coreMetadata")
    titles = meta.get("title") or {}
    for lang in LANGS:
        if titles.get(lang):
            _sub(_sub(core, "title", typeLabel="main"), "title", titles[lang], ns=DC, **{XML_LANG: lang})
    if not any(titles.get(lang) for lang in LANGS):
        _sub(_sub(core, "title", typeLabel="fileName"), "title", asset.filename, ns=DC)
    for kind, values in (("keyword", meta.get("keywords")), ("person", meta.get("people"))):
        for value in values or ():
            _sub(_sub(core, "subject", typeLabel=kind), "subject", value, ns=DC)
    descriptions = meta.get("description") or {}
    for lang in LANGS:
        if descriptions.get(lang):
            _sub(_sub(core, "description", typeLabel="summary"), "description", descriptions[lang], ns=DC,
                 **{XML_LANG: lang})
    organisation = asset.organisation.name if asset.organisation is not None else None
    if organisation:
        details = _sub(_sub(core, "publisher"), "organisationDetails")
        _sub(details, "organisationName", organisation)
    recorded = meta.get("recorded")
    if recorded:
        created = _sub(_sub(core, "date"), "created", startYear=str(recorded)[:4],
                       startDate=recorded if len(str(recorded)) == 10 else None)
        created.text = None
    if meta.get("genre"):
        _sub(_sub(core, "type"), "genre", typeLabel=meta["genre"])
    _format(core, asset, tech)
    _sub(_sub(core, "identifier", typeLabel="Ortak asset id"), "identifier", asset.id, ns=DC)
    for lang in meta.get("languages") or ():
        _sub(_sub(core, "language"), "language", lang, ns=DC)
    source_id = asset.source_id or (asset.lineage or {}).get("source_id")
    if source_id:
        lineage = asset.lineage or {}
        rel = _sub(core, "relation", typeLabel="isVersionOf",
                   note=f"clip from {lineage.get('in')} to {lineage.get('out')}")
        _sub(_sub(rel, "relationIdentifier"), "identifier", source_id, ns=DC)
    places = meta.get("places") or ()
    if places:
        spatial = _sub(_sub(core, "coverage"), "spatial")
        for place in places:
            _sub(_sub(spatial, "location"), "name", place)
    for block in rights:
        licensees = block.get("licensees") or {}
        parts = [("licensees", ", ".join([*licensees.get("organisations", ()), *licensees.get("countries", ())])
                  or ("all members" if licensees.get("all_members") else "")),
                 ("platforms", ", ".join(block.get("platforms") or ())),
                 ("territories", ", ".join(block.get("territories") or ())),
                 ("from", block.get("start")), ("to", block.get("end")),
                 ("exclusive", "yes" if block.get("exclusive") else None)]
        text = "; ".join(f"{k}: {v}" for k, v in parts if v)
        _sub(_sub(core, "rights", typeLabel=str(block.get("kind") or "rights")), "rights", text, ns=DC)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _format(core: ET.Element, asset: Asset, tech: dict[str, Any]) -> None:
    fmt = _sub(core, "format")
    if tech.get("video_codec"):
        video = _sub(fmt, "videoFormat", videoFormatName=tech.get("video_codec"))
        if tech.get("width"):
            _sub(video, "width", tech["width"], unit="pixel")
        if tech.get("height"):
            _sub(video, "height", tech["height"], unit="pixel")
        if tech.get("frame_rate"):
            _sub(video, "frameRate", tech.get("frame_rate_float") or tech["frame_rate"])
        _sub(_sub(video, "codec"), "name", tech["video_codec"])
    if tech.get("audio_codec"):
        audio = _sub(fmt, "audioFormat", audioFormatName=tech.get("audio_codec"))
        _sub(_sub(audio, "codec"), "name", tech["audio_codec"])
        if tech.get("audio_sample_rate"):
            _sub(audio, "samplingRate", tech["audio_sample_rate"])
        if tech.get("audio_channels"):
            _sub(audio, "audioTrackConfiguration", typeLabel=f"{tech['audio_channels']} channels")
    if tech.get("container"):
        _sub(fmt, "containerFormat", containerFormatName=tech["container"])
    if tech.get("duration"):
        _sub(_sub(fmt, "duration"), "normalPlayTime", _seconds_iso(float(tech["duration"])))
    _sub(fmt, "fileSize", asset.size)
    _sub(fmt, "fileName", asset.filename)
    _sub(fmt, "mimeType", typeLabel=asset.content_type or "application/octet-stream")
    if asset.original_key:
        digest = _sub(fmt, "hash")
        _sub(digest, "hashValue", asset.sha256)
        _sub(digest, "hashFunction", typeLabel="SHA-256")
