"""The OpenAPI 3.1 document of the API, built from the code that enforces it.

`build_document(config)` assembles it from the validators' constants and the limits in
`config`; the service serves the document of its own configuration, and
`archive/api/openapi.json` is the document of the default configuration, written by
`python -m archive.api.spec` (a test fails when the committed file is stale).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping

from archive.api.limits import HEADER_FIELDS_MAX, REQUEST_LINE_MAX
from archive.api.spec.audit_paths import audit_paths, audit_schemas
from archive.api.spec.clips import clip_paths
from archive.api.spec.clips import schemas as clip_schemas
from archive.api.spec.baskets import basket_paths, share_paths
from archive.api.spec.baskets import schemas as basket_schemas
from archive.api.spec.components import components
from archive.api.spec.coproduction import schemas as coproduction_schemas
from archive.api.spec.coproduction_paths import coproduction_paths
from archive.api.spec.markers import marker_paths
from archive.api.spec.markers import schemas as marker_schemas
from archive.api.spec.paths import asset_paths, meta_paths, search_path, upload_paths
from archive.api.spec.provenance import provenance_paths
from archive.api.spec.provenance import schemas as provenance_schemas
from archive.api.spec.rights import rights_paths
from archive.api.spec.rights import schemas as rights_schemas
from archive.api.spec.text import INFO
from archive.config import DEFAULTS

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"


def build_document(config: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI document for a configuration (a mapping with the keys of config.DEFAULTS)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ortak API",
            "version": "1.0.0",
            "summary": "The media-asset exchange and co-production archive of Turkish and Azerbaijani broadcasters.",
            "description": INFO.format(request_line=REQUEST_LINE_MAX, header_bytes=int(config["MAX_HEADER_BYTES"]),
                                       header_fields=HEADER_FIELDS_MAX),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "tags": [
            {"name": "assets", "description": "Assets, their metadata, history and bytes."},
            {"name": "markers", "description": "Timecoded notes on an asset's timeline."},
            {"name": "clips", "description": "Segments of a master exported as assets of their own, with lineage."},
            {"name": "baskets", "description": "Named collections of assets and segments, shared with users and "
                                               "downloaded as one zip with a manifest."},
            {"name": "uploads", "description": "Resumable uploads, tus 1.0.0 (core, creation, creation-with-upload, "
                                               "termination, checksum with sha256)."},
            {"name": "search", "description": "Full-text search with facets."},
            {"name": "meta", "description": "The caller, health and this document."},
            {"name": "rights", "description": "Rights blocks (grants and restrictions), avails, contracts."},
            {"name": "coproduction", "description": "Co-production projects, the contribution ledger confirmed by "
                                                    "both countries, the parity dashboard, the commission."},
            {"name": "usage", "description": "The usage log for rights managers and admins (read only)."},
            {"name": "notifications", "description": "In-app notifications and the organisation's signed webhook."},
            {"name": "provenance", "description": "Where a clip comes from: reverse clip search over the masters' "
                                                  "perceptual hashes."},
        ],
        "paths": {**meta_paths(), **search_path(), **asset_paths(config), **marker_paths(), **clip_paths(),
                  **upload_paths(config), **rights_paths(), **coproduction_paths(), **audit_paths(),
                  **basket_paths(), **share_paths(), **provenance_paths(config)},
        "components": _components(config),
    }


def _components(config: Mapping[str, Any]) -> dict[str, Any]:
    out = components(config)
    out["schemas"].update(coproduction_schemas())
    out["schemas"].update(rights_schemas())
    out["schemas"].update(marker_schemas())
    out["schemas"].update(audit_schemas())
    out["schemas"].update(clip_schemas())
    out["schemas"].update(basket_schemas())
    out["schemas"].update(provenance_schemas())
    return out


def render(document: Mapping[str, Any]) -> str:
    """The committed file's text: stable key order, one space of indent, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def default_document_text() -> str:
    return render(build_document(DEFAULTS))


def main(argv: list[str] | None = None) -> int:
    """`python -m archive.api.spec [--check]`: write (or check) archive/api/openapi.json."""
    argv = sys.argv[1:] if argv is None else argv
    text = default_document_text()
    if "--check" in argv:
        if not COMMITTED.is_file() or COMMITTED.read_text(encoding="utf-8") != text:
            print(f"{COMMITTED} is stale: run python -m archive.api.spec", file=sys.stderr)
            return 1
        return 0
    COMMITTED.write_text(text, encoding="utf-8")
    print(f"wrote {COMMITTED}")
    return 0
