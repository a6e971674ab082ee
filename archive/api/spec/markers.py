"""`paths` and schemas of the markers operations (`/api/v1/assets/{id}/markers`)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import error_response, json_content, nullable, ref, schema
from archive.api.spec.paths import operation, response
from archive.markers.schemas import MAX_TEXT, MAX_TIMECODE
from archive.markers.services import MAX_ID

TIMECODE = {"type": "string", "maxLength": MAX_TIMECODE, "examples": ["00:00:12:05", "01:00:10;02", "00:00:12.200"],
            "description": "A timecode of the master (its start timecode included): HH:MM:SS:FF, drop-frame "
                           "HH:MM:SS;FF (29.97 and 59.94 only), or HH:MM:SS.mmm. Audio counts 25 frames a second."}
INVALID = error_response(
    "`invalid_marker`: `details.errors` has one `{field, code, message}` per mistake: `unknown_field`, `required`, "
    "`not_text`, `invalid_timecode` (with `reason`: `malformed`, `hours_out_of_range`, `minutes_out_of_range`, `seconds_out_of_range`, `frame_out_of_range` (with `part`, `value`, `min`, `max`: the field and its range), `drop_frame_rate`, "
    "`dropped_label`), `out_of_range` (past the end of the asset), `out_before_in`, `empty`, `too_long`, "
    "`forbidden_characters` (control characters, bidirectional overrides and other invisible format characters; "
    "`characters`: their code points).")
NOT_FOUND = error_response("`asset_not_found`, or `marker_not_found` (no such marker on this asset).")
NO_TIMELINE = error_response("`no_timeline`: the asset is not audio or video, or its duration is not known yet; "
                             "`too_many_markers`.")
BODY_ERRORS = {"400": response("BadRequest"), "413": response("BodyTooLarge"),
               "415": response("UnsupportedMediaType"), "422": INVALID}


def schemas() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
    return {
        "MarkerNew": {
            "type": "object", "required": ["in", "text"], "additionalProperties": False,
            "properties": {"in": TIMECODE, "out": nullable(TIMECODE), "text": text}},
        "MarkerEdit": {
            "type": "object", "additionalProperties": False,
            "properties": {"in": TIMECODE, "out": nullable(TIMECODE), "text": text}},
        "Marker": {
            "type": "object",
            "required": ["id", "in", "out", "in_seconds", "out_seconds", "text", "author", "created", "updated",
                         "editable"],
            "properties": {
                "id": {"type": "integer"}, "in": {"type": "string"}, "out": {"type": ["string", "null"]},
                "in_seconds": {"type": "number", "description": "Seconds from the first frame."},
                "out_seconds": {"type": ["number", "null"]}, "text": {"type": "string"},
                "author": nullable(schema("Person")),
                "created": {"type": "string", "format": "date-time"},
                "updated": {"type": "string", "format": "date-time"},
                "editable": {"type": "boolean", "description": "Whether the caller may edit or remove it."}}},
        "Timeline": {
            "type": "object", "required": ["rate", "fps", "start", "start_frames", "drop_frame", "frames"],
            "properties": {
                "rate": {"type": "string", "examples": ["25/1", "30000/1001"]}, "fps": {"type": "number"},
                "start": {"type": "string", "description": "The master's start timecode."},
                "start_frames": {"type": "integer"}, "drop_frame": {"type": "boolean"},
                "frames": {"type": ["integer", "null"], "description": "The length in frames, when known."}}},
    }


def marker_paths() -> dict[str, Any]:
    asset_id = [ref("parameters", "AssetId")]
    marker_id = {"name": "marker_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                 "description": "A marker of this asset; anything else answers 404 `marker_not_found`."}
    forbidden = error_response("`not_marker_author`: only the marker's author or an administrator may change it.")
    return {
        "/api/v1/assets/{id}/markers": {
            "parameters": asset_id,
            "get": operation("markers", "listMarkers", "The asset's markers in timeline order, and its timeline.",
                             {"200": {"description": "`timeline` is null for an asset without one (an image).",
                                      "content": json_content({
                                          "type": "object", "required": ["timeline", "markers"],
                                          "properties": {"timeline": nullable(schema("Timeline")),
                                                         "markers": {"type": "array", "items": schema("Marker")}}})},
                              "404": NOT_FOUND}),
            "post": operation("markers", "addMarker", "Add a timecoded note (any member).",
                              {"201": {"description": "The marker.", "content": json_content(schema("Marker"))},
                               "404": NOT_FOUND, "409": NO_TIMELINE, **BODY_ERRORS},
                              requestBody={"required": True, "content": json_content(schema("MarkerNew"))}),
        },
        "/api/v1/assets/{id}/markers/{marker_id}": {
            "parameters": [*asset_id, marker_id],
            "patch": operation("markers", "editMarker", "Change a marker's in, out or text (its author or an admin).",
                               {"200": {"description": "The marker.", "content": json_content(schema("Marker"))},
                                "403": forbidden, "404": NOT_FOUND, "409": NO_TIMELINE, **BODY_ERRORS},
                               requestBody={"required": True, "content": json_content(schema("MarkerEdit"))}),
            "delete": operation("markers", "removeMarker", "Remove a marker (its author or an admin).",
                                {"204": {"description": "Removed."}, "403": forbidden, "404": NOT_FOUND}),
        },
    }
