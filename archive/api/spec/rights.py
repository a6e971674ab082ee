"""`paths` and schemas of the rights operations: rights blocks, avails, the avails grid,
contracts and their documents (archive/rights/views.py)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import FILENAME_HEADER, error_response, json_content, nullable, ref, schema
from archive.api.spec.paths import operation, response
from archive.assets.schemas import LANGS
from archive.rights.avails import KINDS, PLATFORMS
from archive.rights.contracts import DOCUMENT_TYPES, MAX_DOCUMENT_BYTES
from archive.rights.services import MAX_BLOCK_ID
from archive.rights.schemas import MAX_CLIP_SECONDS, MAX_CREDIT, MAX_HOLDBACKS, MAX_LIST

TAG = "rights"
TERRITORY = {"type": "string", "pattern": "^([A-Za-z]{2}|WORLD)$", "examples": ["TR", "AZ", "WORLD"],
             "description": "ISO 3166-1 alpha-2 (pycountry's list) or WORLD."}
DAY = {"type": "string", "format": "date"}
_codes = lambda item: {"type": "array", "maxItems": MAX_LIST, "items": item}  # noqa: E731


def schemas() -> dict[str, Any]:
    block_props = {
        "kind": {"enum": list(KINDS)},
        "licensees": {"type": "object", "additionalProperties": False, "properties": {
            "organisations": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 200}},
            "countries": _codes({"type": "string", "pattern": "^[A-Za-z]{2}$"}),
            "all_members": {"type": "boolean"}},
            "description": "At least one organisation (by name), country, or all_members: true."},
        "territories": {**_codes(TERRITORY), "minItems": 1},
        "exclude_territories": _codes(TERRITORY),
        "platforms": {"type": "array", "minItems": 1, "items": {"enum": list(PLATFORMS)}},
        "start": DAY,
        "end": nullable({**DAY, "description": "Last day included; null: open. Not before start."}),
        "exclusive": {"type": "boolean", "description": "Grants only; an exclusive grant overlapping another "
                                                         "licensee's exclusive grant is 409 `exclusive_conflict`."},
        "segment": nullable({"type": "object", "required": ["in", "out"], "additionalProperties": False,
                             "properties": {"in": {"type": "string"}, "out": {"type": "string"}},
                             "description": "Timecodes HH:MM:SS:FF (at the asset's frame rate) or HH:MM:SS.fff, "
                                            "inside the asset's duration."}),
        "holdbacks": {"type": "array", "maxItems": MAX_HOLDBACKS, "items": {
            "type": "object", "required": ["not_before"], "additionalProperties": False,
            "properties": {"not_before": DAY, "platforms": {"type": "array", "items": {"enum": list(PLATFORMS)}},
                           "territories": _codes(TERRITORY)}}},
        "conditions": {"type": "object", "additionalProperties": False, "properties": {
            "credit": {"type": "object", "additionalProperties": False,
                       "properties": {lang: {"type": "string", "maxLength": MAX_CREDIT} for lang in LANGS}},
            "max_clip_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_CLIP_SECONDS},
            "no_modification": {"type": "boolean"}, "preview_only": {"type": "boolean"}}},
        "contract": nullable({"type": "string", "description": "A contract id (POST /api/v1/contracts) of the asset's organisation."}),
    }
    reason = {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"enum": ["own_asset", "admin", "cleared", "restricted", "not_covered", "held_back", "preview_only",
                          "clip_too_long", "declaration_required", "account_disabled"]},
        "message": {"type": "string"}, "blocks": {"type": "array", "items": {"type": "integer"}},
        "scope": {"type": "object", "description": "`periods` [{from, to}], `territories`, and `segments` "
                  "[{in, out (seconds from the first frame), in_timecode, out_timecode (the master's timecodes)}] "
                  "when a part of the asset is concerned."},
        "max_clip_seconds": {"type": "number", "description": "On `clip_too_long`: the grant's limit."},
        "clip_seconds": nullable({"type": "number", "description": "On `clip_too_long`: the length asked (null: "
                                  "the asset's length is unknown)."}),
        "windows": {"type": "array", "description": "On `not_covered`: the grants that would clear the use but "
                    "for their window (an expired right, or one not started yet).", "items": {
                        "type": "object", "required": ["block", "from", "to", "state"], "properties": {
                            "block": {"type": "integer"}, "from": DAY, "to": nullable(DAY),
                            "state": {"enum": ["ended", "not_started"]}}}}}}
    return {
        "RightsBlockInput": {"type": "object", "additionalProperties": False,
                             "required": ["kind", "licensees", "territories", "platforms", "start"],
                             "properties": block_props},
        "RightsBlockPatch": {"type": "object", "additionalProperties": False, "properties": block_props,
                             "description": "The keys given replace the block's; the result is checked as a whole."},
        "RightsBlock": {"type": "object", "properties": {"id": {"type": "integer"}, "asset_id": {"type": "string"},
                                                         **block_props}},
        "AvailsDecision": {"type": "object", "required": ["decision", "reasons", "conditions", "blocks"],
                           "properties": {"decision": {"enum": ["allowed", "allowed_with_conditions", "denied"]},
                                          "reasons": {"type": "array", "items": reason},
                                          "conditions": {"type": "object"},
                                          "blocks": {"type": "array", "items": {"type": "integer"}}}},
        "AvailsGrid": {"type": "object", "required": ["platforms", "territories", "periods", "cells"], "properties": {
            "platforms": {"type": "array", "items": {"enum": list(PLATFORMS)}},
            "territories": {"type": "array", "items": {"type": "string"}},
            "periods": {"type": "array", "items": {"type": "object", "properties": {"from": DAY,
                                                                                    "to": nullable(DAY)}}},
            "cells": {"type": "object", "description": "platform → territory → one "
                      "{state: open|exclusive|restricted|none, licensees, blocks, segment} per period."}}},
        "Contract": {"type": "object", "properties": {
            "id": {"type": "string"}, "licensor": {"type": "string"}, "reference": {"type": "string"},
            "signed": nullable(DAY), "documents": {"type": "array", "items": {"type": "object"}}}},
    }


def rights_paths() -> dict[str, Any]:
    asset_id = [ref("parameters", "AssetId")]
    block_id = {"name": "block_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_BLOCK_ID}}
    contract_id = {"name": "contract_id", "in": "path", "required": True, "schema": {"type": "string"}}
    document_id = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    forbidden = error_response("`wrong_role` (rights managers and admins), `not_rights_manager` (a rights manager "
                               "of another organisation than the asset's).")
    invalid = error_response("`invalid_rights_block`: one `{field, code, message, params}` per mistake in "
                             "`details.errors` (`window_reversed`, `unknown_territory`, `unknown_platform`, "
                             "`unknown_organisation`, `segment_outside_asset`, `segment_reversed`...).")
    conflict = error_response("`exclusive_conflict`: the exclusive grant overlaps another licensee's exclusive "
                              "grant (`details.blocks` names it); `too_many_blocks`.")
    body = lambda name: {"required": True, "content": json_content(schema(name))}  # noqa: E731
    write = {"400": response("BadRequest"), "403": forbidden, "404": response("NotFound"), "409": conflict,
             "413": response("BodyTooLarge"), "415": response("UnsupportedMediaType"), "422": invalid}
    block_doc = {"description": "The block.", "content": json_content(schema("RightsBlock"))}
    q = lambda name, sch, text, required=False: {"name": name, "in": "query", "required": required,  # noqa: E731
                                                 "schema": sch, "description": text}
    contract_doc = {"description": "The contract.", "content": json_content(schema("Contract"))}
    managers = error_response("`wrong_role`, `not_rights_manager` (only the licensor's rights managers and admins).")
    return {
        "/api/v1/assets/{id}/rights": {
            "parameters": asset_id,
            "get": operation(TAG, "listRights", "The asset's rights blocks (every member may read them).",
                             {"200": {"description": "`items` and `can_manage` (whether the caller may edit them).",
                                      "content": json_content({"type": "object", "properties": {
                                          "items": {"type": "array", "items": {"allOf": [schema("RightsBlock"), {
                                              "type": "object", "properties": {"inherited_from": nullable({
                                                  "type": "object", "required": ["asset", "block"],
                                                  "description": "The master's block this clip's copy follows "
                                                                 "(edited there: 409 `inherited_block` here).",
                                                  "properties": {"asset": {"type": "string"},
                                                                 "block": {"type": "integer"}}})}}]}},
                                          "can_manage": {"type": "boolean"}}})},
                              "404": response("NotFound")}),
            "post": operation(TAG, "createRights", "Add a grant or a restriction (rights managers of the asset's "
                              "organisation, admins); an Event `rights.block_created`. The clips already cut from "
                              "the asset whose span it covers get a copy (`rights.block_inherited`).",
                              {"201": block_doc, **write}, requestBody=body("RightsBlockInput")),
        },
        "/api/v1/assets/{id}/rights/{block_id}": {
            "parameters": [*asset_id, block_id],
            "patch": operation(TAG, "updateRights", "Change a block; an Event `rights.block_changed`. Its copies "
                               "on the clips cut from the asset follow (each an Event on the clip).",
                               {"200": block_doc, **write,
                                "409": error_response("`exclusive_conflict`, `too_many_blocks` as on create; "
                                                      "`inherited_block` (`details.from_asset`, `from_block`): the "
                                                      "block is a clip's copy of its master's block, changed "
                                                      "there.")},
                               requestBody=body("RightsBlockPatch")),
            "delete": operation(TAG, "deleteRights", "Remove a block; an Event `rights.block_deleted`. Its copies "
                                "on the clips cut from the asset go too (each an Event on the clip).",
                                {"204": {"description": "Removed."}, "403": forbidden, "404": response("NotFound"),
                                 "409": error_response("`inherited_block` (`details.from_asset`, `from_block`): "
                                                       "a clip's copy of its master's block, removed there.")}),
        },
        "/api/v1/assets/{id}/avails": {
            "parameters": asset_id,
            "get": operation(TAG, "assetAvails", "May an organisation use this asset on a platform in a territory "
                             "from a day to a day? The avails engine's decision, every reason and condition.",
                             {"200": {"description": "The decision.", "content": json_content(schema("AvailsDecision"))},
                              "400": response("BadRequest"),
                              "403": error_response("`not_rights_manager` (details `action`, `roles`, `role`, "
                                                    "`organisation`, `asset_organisation`, `own_organisation`): "
                                                    "asking for another organisation than one's own is for the "
                                                    "asset's rights managers and admins."),
                              "404": error_response("`asset_not_found`, `organisation_not_found`.")},
                             parameters=[
                                 q("org", {"type": "string", "maxLength": 200}, "Name or id; default the caller's."),
                                 q("platform", {"enum": list(PLATFORMS)}, "Required.", True),
                                 q("territory", TERRITORY, "Required.", True),
                                 q("from", DAY, "Default today (UTC)."), q("to", DAY, "Default `from`."),
                                 q("in", {"type": "string", "maxLength": 40},
                                   "With `out`: the segment asked about, a timecode of the master (its start "
                                   "timecode and drop-frame counting apply, as for a block's segment); both absent: "
                                   "the whole asset."),
                                 q("out", {"type": "string", "maxLength": 40}, "The segment's end; with `in`.")]),
        },
        "/api/v1/assets/{id}/avails/grid": {
            "parameters": asset_id,
            "get": operation(TAG, "assetAvailsGrid", "Platform × territory × period: open, exclusive to someone, "
                             "restricted, or not cleared.",
                             {"200": {"description": "The grid.", "content": json_content(schema("AvailsGrid"))},
                              "404": response("NotFound")}),
        },
        "/api/v1/contracts": {
            "get": operation(TAG, "listContracts", "Contracts of the caller's organisation (admins: all).",
                             {"200": {"description": "`items`.", "content": json_content({
                                 "type": "object", "properties": {"items": {"type": "array",
                                                                            "items": schema("Contract")}}})},
                              "403": managers}),
            "post": operation(TAG, "createContract", "Record a contract: `licensor` (organisation name, default the "
                              "caller's), `reference`, `signed` (not in the future).",
                              {"201": contract_doc, "400": response("BadRequest"), "403": managers,
                               "409": error_response("`contract_exists`."), "413": response("BodyTooLarge"),
                               "415": response("UnsupportedMediaType"),
                               "422": error_response("`invalid_contract` with `details.errors`.")},
                              requestBody={"required": True, "content": json_content({
                                  "type": "object", "required": ["reference"], "additionalProperties": False,
                                  "properties": {"licensor": {"type": "string"}, "reference": {"type": "string"},
                                                 "signed": DAY}})}),
        },
        "/api/v1/contracts/{contract_id}": {
            "parameters": [contract_id],
            "get": operation(TAG, "getContract", "One contract and its documents.",
                             {"200": contract_doc, "403": managers, "404": response("NotFound")}),
        },
        "/api/v1/contracts/{contract_id}/documents": {
            "parameters": [contract_id],
            "post": operation(TAG, "addContractDocument", "Store a document of the contract (the body, with its "
                              "Content-Type; `Ortak-Filename` names it).",
                              {"201": contract_doc, "400": response("BadRequest"), "403": managers,
                               "404": response("NotFound"),
                               "413": error_response(f"`document_too_large` (over {MAX_DOCUMENT_BYTES} bytes)."),
                               "415": error_response("`unsupported_media_type`; `content_type_mismatch`: the bytes "
                                                     "are another type (details `declared`, `detected`)."),
                               "503": error_response("`storage_failed`.")},
                              parameters=[FILENAME_HEADER],
                              requestBody={"required": True, "content": {
                                  t: {"schema": {"type": "string", "format": "binary"}} for t in DOCUMENT_TYPES}}),
        },
        "/api/v1/contracts/{contract_id}/documents/{document_id}": {
            "parameters": [contract_id, document_id],
            "get": operation(TAG, "getContractDocument", "The document's bytes, as an attachment.",
                             {"200": {"description": "The bytes.", "content": {t: {"schema": {}} for t in DOCUMENT_TYPES},
                                      "headers": {"Content-Disposition": ref("headers", "ContentDisposition")}},
                              "403": managers, "404": response("NotFound")}),
        },
    }
