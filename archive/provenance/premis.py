"""An asset's preservation metadata as PREMIS 3 XML (namespace http://www.loc.gov/premis/v3).

Source: PREMIS Data Dictionary for Preservation Metadata, version 3.0 (Library of Congress,
2015), and the element order of its schema premis-v3-0.xsd: `object*`, `event*`, `agent*`.

    <premis version="3.0">
      <object xsi:type="file">   the original: identifier (the asset id), fixity (SHA-256 recorded
                                 at store time, originator Ortak), size, format (its media type),
                                 originalName; a clip has a relationship "derivation"/"has source"
                                 to its master's object identifier
      <event>                    one per asset event (`archive.events`: ingestion, metadata
                                 modification...), per fixity check (`fixity check`, outcome
                                 pass/fail/missing) and the store-time digest (`message digest
                                 calculation`)
      <agent>                    Ortak (software) and each user that acted (person)

Event types follow the Library of Congress vocabulary id.loc.gov/vocabulary/preservation/eventType.
`premis_xml` returns UTF-8 bytes; the schema XSD ships with no installed package, so the tests
check well-formedness and the element order above, not the schema.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Iterable

from archive import software
from archive.assets.models import Asset
from archive.events.models import Event
from archive.provenance.models import FixityCheck

NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.loc.gov/standards/premis/v3/premis.xsd"
EVENT_TYPE_AUTHORITY = "eventType"
EVENT_TYPE_URI = "http://id.loc.gov/vocabulary/preservation/eventType"
ID_TYPE = "Ortak asset id"
SOFTWARE_AGENT = "Ortak"

# Our event actions → the LoC eventType vocabulary (anything else: "metadata modification"
# for asset.* changes, else the action itself).
EVENT_TYPES = {
    "asset.upload_started": "ingestion start",
    "asset.created": "ingestion",
    "asset.duplicate_upload": "ingestion",
    "asset.holding_added": "ingestion",
    "asset.clip_requested": "derivation",
    "asset.metadata_changed": "metadata modification",
    "asset.rejected": "validation",
    "asset.content_type_corrected": "format identification",
    "asset.ready": "creation",
    "asset.failed": "creation",
}

ET.register_namespace("premis", NS)
ET.register_namespace("xsi", XSI)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), attrs)
    if text is not None:
        el.text = str(text)
    return el


def _identifier(parent: ET.Element, kind: str, id_type: str, value: str) -> None:
    el = _sub(parent, f"{kind}Identifier")
    _sub(el, f"{kind}IdentifierType", id_type)
    _sub(el, f"{kind}IdentifierValue", value)


def _user_agent(user_id: int | None) -> tuple[str, str]:
    return ("Ortak user id", str(user_id)) if user_id is not None else ("Ortak software", SOFTWARE_AGENT)


def premis_xml(asset: Asset, events: Iterable[Event], checks: Iterable[FixityCheck],
               users: dict[int, Any] | None = None) -> bytes:
    """The PREMIS document of `asset`: its original as an object, `events` (asset events, any
    order) and `checks` (fixity checks of its original and renditions) as events, and the agents
    they name. `users` maps user ids to users (their names); unknown ids are named by id."""
    users = users or {}
    root = ET.Element(_q("premis"), {"version": "3.0", f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    obj = _sub(root, "object", **{f"{{{XSI}}}type": "premis:file"})
    _identifier(obj, "object", ID_TYPE, asset.id)
    chars = _sub(obj, "objectCharacteristics")
    _sub(chars, "compositionLevel", 0)
    fix = _sub(chars, "fixity")
    _sub(fix, "messageDigestAlgorithm", "SHA-256")
    _sub(fix, "messageDigest", asset.sha256)
    _sub(fix, "messageDigestOriginator", SOFTWARE_AGENT)
    _sub(chars, "size", asset.size)
    fmt = _sub(chars, "format")
    designation = _sub(fmt, "formatDesignation")
    _sub(designation, "formatName", asset.content_type or "application/octet-stream")
    _sub(obj, "originalName", asset.filename)
    source_id = asset.source_id or (asset.lineage or {}).get("source_id")
    if source_id:
        rel = _sub(obj, "relationship")
        _sub(rel, "relationshipType", "derivation")
        _sub(rel, "relationshipSubType", "has source")
        related = _sub(rel, "relatedObjectIdentifier")
        _sub(related, "relatedObjectIdentifierType", ID_TYPE)
        _sub(related, "relatedObjectIdentifierValue", source_id)

    agents: dict[tuple[str, str], str] = {("Ortak software", SOFTWARE_AGENT): "software"}
    digest = _sub(root, "event")
    _identifier(digest, "event", "Ortak asset digest", asset.id)
    _event_body(digest, "message digest calculation", asset.created_at.isoformat(),
                f"SHA-256 computed while the original was stored: {asset.sha256}", "pass",
                ("Ortak software", SOFTWARE_AGENT), asset.id)
    for ev in sorted(events, key=lambda e: (e.at, e.id)):
        el = _sub(root, "event")
        _identifier(el, "event", "Ortak event id", str(ev.id))
        agent = _user_agent(ev.actor_id)
        agents.setdefault(agent, "person" if ev.actor_id is not None else "software")
        _event_body(el, EVENT_TYPES.get(ev.action, "metadata modification" if ev.action.startswith("asset.")
                                        else ev.action), ev.at.isoformat(), ev.action, None, agent, asset.id)
    for check in sorted(checks, key=lambda c: (c.at, c.id)):
        el = _sub(root, "event")
        _identifier(el, "event", "Ortak fixity check id", str(check.id))
        agent = ("Ortak agent", check.agent)
        agents.setdefault(agent, "software")
        label = "original" if check.kind == "original" else f"{check.rendition}/{check.path}"
        detail = (f"SHA-256 of {label} ({check.blob_key}): expected {check.expected_sha256}, "
                  f"found {check.actual_sha256 or 'nothing (missing)'}")
        _event_body(el, "fixity check", check.at.isoformat(), detail, check.outcome, agent, asset.id)
    for (id_type, value), agent_type in agents.items():
        el = _sub(root, "agent")
        _identifier(el, "agent", id_type, value)
        user = users.get(int(value)) if id_type == "Ortak user id" and value.isdigit() else None
        _sub(el, "agentName", (getattr(user, "name", None) or f"user {value}") if id_type == "Ortak user id"
             else value)
        _sub(el, "agentType", agent_type)
        if id_type == "Ortak software":
            _sub(el, "agentVersion", software.VERSION)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _event_body(el: ET.Element, event_type: str, at: str, detail: str, outcome: str | None,
                agent: tuple[str, str], object_id: str) -> None:
    _sub(el, "eventType", event_type, authority=EVENT_TYPE_AUTHORITY, authorityURI=EVENT_TYPE_URI)
    _sub(el, "eventDateTime", at)
    info = _sub(el, "eventDetailInformation")
    _sub(info, "eventDetail", detail)
    if outcome is not None:
        out = _sub(el, "eventOutcomeInformation")
        _sub(out, "eventOutcome", outcome)
    link = _sub(el, "linkingAgentIdentifier")
    _sub(link, "linkingAgentIdentifierType", agent[0])
    _sub(link, "linkingAgentIdentifierValue", agent[1])
    obj = _sub(el, "linkingObjectIdentifier")
    _sub(obj, "linkingObjectIdentifierType", ID_TYPE)
    _sub(obj, "linkingObjectIdentifierValue", object_id)
