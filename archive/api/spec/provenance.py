"""`paths` and schemas of provenance: an asset's provenance document, its BagIt export and the
fixity report (`archive.provenance`)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import error_response, json_content, nullable, ref, schema
from archive.api.spec.paths import declaration_parameters, operation, response
from archive.provenance.models import OBJECT_KINDS, OUTCOMES

_OBJ = {"type": "object"}
_ARRAY = {"type": "array", "items": _OBJ}


def schemas() -> dict[str, Any]:
    counts = {"type": "object", "required": [*OUTCOMES, "unchecked"],
              "properties": {k: {"type": "integer", "minimum": 0} for k in (*OUTCOMES, "unchecked")}}
    return {
        "FixityCheck": {
            "type": "object", "description": "One fixity check of one stored file, a PREMIS event.",
            "required": ["id", "at", "event_type", "asset_id", "object", "expected_sha256", "actual_sha256",
                         "bytes_read", "outcome", "agent"],
            "properties": {
                "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time",
                                                  "description": "PREMIS eventDateTime."},
                "event_type": {"const": "fixity check"}, "asset_id": {"type": "string"},
                "object": {"type": "object", "required": ["kind", "blob_key", "label"], "properties": {
                    "kind": {"enum": list(OBJECT_KINDS)}, "rendition": nullable({"type": "string"}),
                    "path": nullable({"type": "string"}), "blob_key": {"type": "string"},
                    "label": {"type": "string", "description": "`original` or `<rendition>/<path>`."}}},
                "expected_sha256": {"type": "string", "description": "Recorded when the file was stored."},
                "actual_sha256": nullable({"type": "string"}), "expected_size": nullable({"type": "integer"}),
                "bytes_read": {"type": "integer"},
                "outcome": {"enum": list(OUTCOMES), "description": "PREMIS eventOutcome."},
                "agent": {"type": "string", "description": "`ortak-scheduler` or `ortak-cli:<user>@<host>`."},
                "detail": nullable({"type": "string"})}},
        "FixityReport": {
            "type": "object",
            "required": ["files", "bytes", "counts", "overdue", "cycle_days", "run_seconds", "bytes_per_second",
                         "behind", "items", "listed"],
            "properties": {
                "files": {"type": "integer"}, "bytes": {"type": "integer"}, "counts": counts,
                "overdue": {"type": "integer", "description": "Files not checked within the cycle."},
                "cycle_days": {"type": "integer"}, "run_seconds": {"type": "integer"},
                "bytes_per_second": {"type": "integer"},
                "behind": {"type": "boolean", "description": "A run's share cannot be read at the configured rate "
                                                             "within a run: the cycle will not hold."},
                "items": {"type": "array", "items": schema("FixityCheck"),
                          "description": "The latest check of each file, failures first (at most 500)."},
                "listed": {"type": "integer"}}},
        "Provenance": {
            "type": "object",
            "description": "An asset's lineage. Every key but `id` and `asset` is a section; "
                           "`content_credentials` (C2PA) and `lookup` (reverse clip search) are null until the "
                           "modules that fill them are installed.",
            "required": ["id", "asset", "sources", "derivatives", "holdings", "usage", "rights", "events", "fixity",
                         "content_credentials", "lookup"],
            "properties": {
                "id": {"type": "string"}, "asset": _OBJ,
                "sources": {"type": "array", "description": "Nearest first: for a clip its master (`relation` "
                                                           "`clip_of`, in/out asked for, actual in/out), then the "
                                                           "master's own source. A file this archive handed out "
                                                           "and got back first names the asset it was exported "
                                                           "from (`relation` `exported_from`, `declared_by` "
                                                           "`content_credentials`, `export` rendition/clip/"
                                                           "basket_item, `rendition`, in/out, `signed_at`, "
                                                           "`manifest`, `signer`) when its C2PA manifest is "
                                                           "trusted, unaltered, signed by this archive's current "
                                                           "signer and the asset exists and the caller may see "
                                                           "it; else nothing.", "items": _OBJ},
                "derivatives": {"type": "object", "required": ["clips", "baskets", "share_links"],
                                "properties": {"clips": _ARRAY, "baskets": {**_ARRAY, "description": "Those the "
                                               "caller may open."}, "share_links": {**_ARRAY, "description":
                                               "Those made in the caller's organisation (admins: all)."}}},
                "holdings": _ARRAY,
                "usage": {"type": "object", "required": ["scope", "total", "items"], "properties": {
                    "scope": {"enum": ["all", "own_organisation"]}, "total": {"type": "integer"}, "items": _ARRAY}},
                "rights": _ARRAY, "events": _ARRAY,
                "fixity": {"type": "object", "required": ["files", "counts", "items"], "properties": {
                    "files": {"type": "integer"}, "counts": counts,
                    "items": {"type": "array", "items": schema("FixityCheck")}}},
                "content_credentials": {"description": "C2PA credentials (null: not known here)."},
                "lookup": {"description": "Reverse-lookup matches (null: not known here)."}}},
    }


def provenance_paths() -> dict[str, Any]:
    not_found = error_response("`asset_not_found`.")
    return {
        "/api/v1/assets/{id}/provenance": {
            "parameters": [ref("parameters", "AssetId")],
            "get": operation("provenance", "getProvenance",
                             "The asset's lineage: sources, derivatives, holdings, usage, rights, events, fixity; "
                             "each section as the caller may see it.",
                             {"200": {"description": "The provenance document.",
                                      "content": json_content(schema("Provenance"))},
                              "400": response("BadRequest"), "404": not_found},
                             parameters=[ref("parameters", "Lang")]),
        },
        "/api/v1/assets/{id}/bag": {
            "parameters": [ref("parameters", "AssetId")],
            "post": operation(
                "provenance", "exportBag",
                "The asset as a BagIt 1.0 bag in a tar, streamed: the original, PREMIS and EBUCore XML. A "
                "master-quality read through the access gate (usage action `bag`); the declaration in the body "
                "or the query, not both.",
                {"200": {"description": "The bag (`ortak-<id>.tar`), with its exact Content-Length.",
                         "content": {"application/x-tar": {"schema": {"type": "string", "format": "binary"}}}},
                 "400": response("BadRequest"), "413": response("BodyTooLarge"),
                 "415": response("UnsupportedMediaType"),
                 "403": error_response("`rights_denied` or `declaration_required`, as for a download of the "
                                       "original; recorded in the usage log."),
                 "404": error_response("`asset_not_found`, or `blob_missing` (the original is not in storage)."),
                 "409": error_response("`original_not_ready`: a clip still being cut."),
                 "422": error_response("`invalid_declaration` (`details.errors`), or `invalid_body` (unknown "
                                       "fields).")},
                parameters=declaration_parameters(),
                requestBody={"required": False, "content": json_content({
                    "type": "object", "additionalProperties": False,
                    "properties": {"declaration": schema("UsageDeclaration")}})}),
        },
        "/api/v1/fixity": {
            "get": operation("provenance", "getFixityReport",
                             "The fixity report: the latest check of each stored file, failures first, and counts "
                             "(admins only).",
                             {"200": {"description": "The report.", "content": json_content(schema("FixityReport"))},
                              "400": response("BadRequest"),
                              "403": error_response("`wrong_role`: admins only."),
                              "404": error_response("`asset_not_found` (the `asset` parameter).")},
                             parameters=[{"name": "asset", "in": "query",
                                          "schema": {"type": "string", "format": "uuid"},
                                          "description": "Only this asset's files: its id (anything that cannot "
                                                         "be an id answers 400)."}]),
        },
    }
