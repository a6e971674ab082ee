"""`paths` and schemas of clip export (`/api/v1/assets/{id}/clips`)."""
from __future__ import annotations

from typing import Any

from archive.access.declarations import MAX_TEXT as DECLARATION_MAX_TEXT
from archive.access.declarations import PLATFORMS
from archive.api.spec.components import error_response, json_content, ref, schema
from archive.api.spec.paths import operation, response
from archive.clips.schemas import MAX_SECONDS, MAX_TIMECODE, MODES

POINT = {"oneOf": [
    {"type": "string", "maxLength": MAX_TIMECODE, "examples": ["10:00:02:00", "01:00:10;02", "10:00:02.500"],
     "description": "A timecode of the master (its start timecode included): HH:MM:SS:FF, or HH:MM:SS;FF on a "
                    "drop-frame (29.97/59.94) master and only there, or HH:MM:SS.mmm."},
    {"type": "number", "minimum": 0, "maximum": MAX_SECONDS, "description": "Seconds from the master's first frame."}]}


def schemas() -> dict[str, Any]:
    text = {"type": "string", "maxLength": DECLARATION_MAX_TEXT}
    return {
        "UsageDeclaration": {
            "type": "object", "additionalProperties": False,
            "description": "Where and when the material will be used; a master-quality read by another organisation "
                           "declares every field, its days not past.",
            "properties": {"platform": {"enum": list(PLATFORMS)},
                           "territory": {"type": "string", "pattern": "^([A-Za-z]{2}|WORLD|world)$"},
                           "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                           "purpose": text, "programme": text}},
        "ClipNew": {
            "type": "object", "required": ["in", "out"], "additionalProperties": False,
            "properties": {
                "in": {**POINT, "description": "The clip's first frame."},
                "out": {**POINT, "description": "The frame after the clip's last (exclusive; may be the end)."},
                "mode": {"enum": list(MODES), "default": "accurate",
                         "description": "`fast`: stream copy from the keyframe at or before `in` (the lineage says "
                                        "the actual in/out); `accurate`: frame-exact, re-encoded losslessly "
                                        "(H.264/HEVC as the master, ProRes as ProRes, else lossless H.264 in the "
                                        "master's pixel format), every audio track as 24-bit PCM, in QuickTime."},
                "declaration": schema("UsageDeclaration")}},
        "ClipAccepted": {
            "type": "object", "required": ["id", "status", "lineage"],
            "properties": {"id": {"type": "string", "format": "uuid", "description": "The clip's asset id."},
                           "status": {"const": "processing"},
                           "lineage": {"type": "object", "description": "source_id, in, out (the master's "
                                       "timecodes), in_seconds, out_seconds, in_frame, out_frame, rate, mode, "
                                       "requested, by, at, declaration, decision; actual_in, actual_out (and "
                                       "_seconds, _frame) once cut."}}},
        "ClipSummary": {
            "type": "object", "required": ["id", "title", "status", "mode", "in", "out", "actual_in", "actual_out",
                                           "created"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "status": schema("AssetStatus"),
                           "mode": {"enum": list(MODES)}, "in": {"type": "string"}, "out": {"type": "string"},
                           "actual_in": {"type": ["string", "null"]}, "actual_out": {"type": ["string", "null"]},
                           "created": {"type": "string", "format": "date-time"}}},
    }


def clip_paths() -> dict[str, Any]:
    not_found = error_response("`asset_not_found`.")
    return {
        "/api/v1/assets/{id}/clips": {
            "parameters": [ref("parameters", "AssetId")],
            "get": operation("clips", "listClips", "The clips cut from this asset, newest first (at most 200).",
                             {"200": {"description": "The clips.", "content": json_content({
                                 "type": "object", "required": ["items"],
                                 "properties": {"items": {"type": "array", "items": schema("ClipSummary")}}})},
                              "404": not_found}),
            "post": operation(
                "clips", "exportClip",
                "Export a segment as a clip: a master-quality read the rights decide on the span the clip "
                "delivers (for `fast`, from the keyframe at or before `in`; the usage record names that span); "
                "the clip is a new asset, cut, probed and rendered by a worker.",
                {"202": {"description": "The clip's asset, `processing` until it is cut and rendered.",
                         "content": json_content(schema("ClipAccepted"))},
                 "400": response("BadRequest"), "413": response("BodyTooLarge"),
                 "415": response("UnsupportedMediaType"),
                 "403": error_response("`rights_denied` (`details.reasons`), or `declaration_required`: another "
                                       "organisation's master needs a usage declaration. Recorded; no clip is made."),
                 "404": error_response("`asset_not_found`; `blob_missing` (storage has no such file)."),
                 "409": error_response("`source_not_ready` (`details.status`: the asset is still processing, "
                                       "rejected or failed), `not_clippable` (not video, or its length unknown, "
                                       "or a fast clip's keyframes cannot be read: `details.reason` "
                                       "`keyframes_unreadable`), `fixity_failed` (the "
                                       "master's latest fixity check found its bytes changed: `details.file`, "
                                       "`expected_sha256`, `actual_sha256`...), `fast_cut_not_cleared` (the "
                                       "rights clear `in`..`out` but not the fast cut's lead-in from the keyframe: "
                                       "ask for `accurate`; `details.requested`, `delivered`, `reasons`)."),
                 "422": error_response(
                     "`invalid_clip`: `details.errors` has one `{field, code, message}` per mistake: "
                     "`unknown_field`, `required`, `invalid_timecode` (`reason`: `malformed`, `hours_out_of_range`, `minutes_out_of_range`, `seconds_out_of_range`, `frame_out_of_range` (with `part`, `value`, `min`, `max`: the field and its range), "
                     "`drop_frame_rate`, `dropped_label`, `drop_frame_mismatch`), `invalid_seconds`, "
                     "`out_of_range` (past the end), `out_before_in`, `invalid_choice` (mode). "
                     "`invalid_declaration`: the declaration is malformed, incomplete, its days past, or sent both "
                     "as query parameters and in the body (`declared_twice`).")},
                requestBody={"required": True, "content": json_content(schema("ClipNew"))}),
        },
    }
