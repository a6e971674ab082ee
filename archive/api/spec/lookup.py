"""`paths` and schemas of reverse clip search (`POST /api/v1/provenance/lookup`)."""
from __future__ import annotations

from typing import Any, Mapping

from archive.api.spec.components import error_response, json_content, nullable, schema
from archive.api.spec.paths import operation
from archive.assets.schemas import LANGS
from archive.provenance import services as provenance

EDITS = list(provenance.EDITS)


def schemas() -> dict[str, Any]:
    seconds = {"type": "number", "minimum": 0}
    return {
        "LookupMatch": {
            "type": "object",
            "required": ["asset_id", "title", "in", "out", "query_in", "query_out", "confidence", "frames_matched",
                         "distance", "mirrored", "speed", "tied", "static", "edits", "master_frame"],
            "properties": {
                "asset_id": {"type": "string"}, "title": {"type": "string"},
                "in": {**seconds, "description": "Where the matched part starts in the master (seconds from its "
                                                 "first frame)."},
                "out": {**seconds, "description": "Where it ends in the master."},
                "in_timecode": {"type": "string", "description": "`in` as the master's timecode."},
                "out_timecode": {"type": "string"},
                "query_in": {**seconds, "description": "Where the matched part starts in the uploaded clip."},
                "query_out": seconds,
                "confidence": {"type": "number", "minimum": 0, "maximum": 1,
                               "description": "The share of the clip's sampled frames that match the master "
                                              "along one time line (each frame's match probability calibrated "
                                              "from its Hamming distance), times the margin over the closest "
                                              "other asset."},
                "frames_matched": {"type": "integer"},
                "distance": {"type": "number", "description": "Mean Hamming distance (bits of 64) of the "
                                                              "clip's perceptual hashes to the master's along "
                                                              "that time line."},
                "mirrored": {"type": "boolean"},
                "speed": {"type": "number", "description": "Master seconds per clip second (1: unchanged)."},
                "tied": {"type": "boolean", "description": "Other candidates match as well (another asset, or another "
                                                          "place of the same master that repeats the picture: a "
                                                          "loop): no single answer."},
                "static": {"type": "boolean", "description": "The clip is a still picture: where in the master "
                                                             "cannot be told."},
                "edits": {"type": "array", "items": {"enum": EDITS},
                          "description": "Differences seen: `mirrored`, `speed_change`, `letterboxed` / "
                                         "`pillarboxed` (bars above and below / left and right), `cropped` "
                                         "(part of the picture cut away), `squeezed` (the whole picture, "
                                         "squeezed or stretched to another shape), `resized` (fewer lines), "
                                         "then `re_encoded` (other "
                                         "bytes) or `remuxed` (the clip's video packets are the master's own: "
                                         "cut or re-wrapped without re-encoding, see `packets`); or "
                                         "`identical`."},
                "packets": nullable({
                    "type": "object", "required": ["compared", "found", "bytes_found", "sampled"],
                    "properties": {"compared": {"type": "integer", "description": "The clip's video packets "
                                                                                  "compared."},
                                   "found": {"type": "integer", "description": "Of those, the ones found among "
                                                                               "the master's packets over the "
                                                                               "matched span."},
                                   "bytes_found": {"type": "number", "minimum": 0, "maximum": 1,
                                                   "description": "The share of the compared bytes found."},
                                   "sampled": {"type": "boolean", "description": "The clip was compared in part "
                                                                                 "(longer than "
                                                                                 "ORTAK_LOOKUP_REMUX_SECONDS)."}},
                    "description": "The comparison of the clip's video packets with the master original's "
                                   "(hashed without decoding): `remuxed` when at least 90 % of them and of "
                                   "their bytes are found. Null when none was made: another codec, not among "
                                   "the first two matches, the identical file, or the check failed."}),
                "player": {"type": "string", "description": "The asset's page, its player marked at in and out."},
                "master_frame": nullable({
                    "type": "object", "required": ["url"],
                    "properties": {"url": {"type": "string"}, "x": {"type": "integer"}, "y": {"type": "integer"},
                                   "w": {"type": "integer"}, "h": {"type": "integer"}},
                    "description": "The master's storyboard tile at `in` (a region x, y, w, h of a sprite sheet), "
                                   "or its poster."}),
                "clip_of": {"type": ["string", "null"],
                            "description": "For an asset exported from another (a clip, a clip of a clip): "
                                           "its master's asset id, as the provenance `sources` name it; null "
                                           "for an original."}}},
        "LookupResult": {
            "type": "object", "required": ["matches", "ambiguous", "query"],
            "properties": {
                "matches": {"type": "array", "items": schema("LookupMatch"),
                            "description": "Candidate masters, best first; empty when nothing matches."},
                "ambiguous": {"type": "boolean", "description": "Several candidates are tied (static or repeating "
                                                                "pictures, the same footage in several assets)."},
                "query": {"type": "object", "properties": {
                    "filename": {"type": ["string", "null"]}, "bytes": {"type": "integer"},
                    "sha256": {"type": "string"}, "duration": {"type": ["number", "null"]},
                    "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]},
                    "decoded_seconds": {"type": "number"},
                    "sampled": {"type": "boolean", "description": "Only windows of a long clip were decoded."},
                    "frames": {"type": "integer"}, "informative_frames": {"type": "integer"},
                    "static": {"type": "boolean"}}}}},
    }


def provenance_paths(config: Mapping[str, Any]) -> dict[str, Any]:
    limit = int(config["LOOKUP_MAX_BYTES"])
    binary = {"type": "string", "format": "binary", "maxLength": limit}
    return {
        "/api/v1/provenance/lookup": {
            "post": operation(
                "provenance", "lookupClip",
                "Where does this clip come from? The masters it was cut from, where in them, and what was changed "
                "(perceptual hashes at 2 frames a second, normal and mirrored, voted by asset and time offset).",
                {"200": {"description": "The candidates (only assets the caller may see).",
                         "content": json_content(schema("LookupResult"))},
                 "400": error_response("`invalid_parameter`: a `lang` other than tr, az, en; "
                                       "`malformed_multipart`: a form field other than `file`, or what comes "
                                       "before the first boundary, over the form's 500 kB bound."),
                 "413": error_response(f"`too_large`: more than {limit} bytes."),
                 "415": error_response("`not_video`: not a file with a moving picture."),
                 "422": error_response("`empty_file`, `file_required` (multipart without `file`), `clip_too_short` "
                                       f"(under {int(config['LOOKUP_MIN_SECONDS'])} s), `no_picture` (every sampled "
                                       "frame black or flat), `undecodable` (`details.reason`: `truncated`, "
                                       "`index_missing`, `corrupt` or `decode_failed`; the message in the answer's "
                                       "language)."),
                 "503": error_response("`lookup_timeout`: decoding took longer than the server allows.")},
                parameters=[{"name": "lang", "in": "query", "schema": {"enum": list(LANGS)},
                             "description": "The language of the matches' titles; else the caller's saved locale, "
                                            "else the best of Accept-Language. Another value answers 400."}],
                requestBody={"required": True, "content": {
                    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                                       "properties": {"file": binary}}},
                    "application/octet-stream": {"schema": binary},
                    "video/*": {"schema": binary}}}),
        },
    }
