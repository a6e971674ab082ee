"""`paths` and schemas of the transcripts operations (`/api/v1/assets/{id}/transcripts`)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import error_response, json_content, ref, schema
from archive.api.spec.paths import operation
from archive.transcripts.parse import MAX_CUE_TEXT, MAX_CUES
from archive.transcripts.services import MAX_BYTES

NOT_FOUND = error_response("`asset_not_found`, or `transcript_not_found` (none in that language).")
FORBIDDEN = error_response("`forbidden`: only an administrator, or a producer or rights manager of the asset's "
                           "organisation, may change its transcripts.")
LANG = {"name": "lang", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z]{2,3}$", "examples": ["tr", "az", "en"]},
        "description": "ISO 639 language code; another answers 400 `invalid_language`."}


def schemas() -> dict[str, Any]:
    segment = {"type": "object", "required": ["in", "out", "in_seconds", "out_seconds", "text"],
               "properties": {"in": {"type": ["string", "null"],
                                     "description": "The master's timecode (null without a timeline)."},
                              "out": {"type": ["string", "null"]},
                              "in_seconds": {"type": "number", "description": "Seconds from the first frame."},
                              "out_seconds": {"type": "number"},
                              "text": {"type": "string", "maxLength": MAX_CUE_TEXT}}}
    summary = {"lang": {"type": "string"}, "format": {"enum": ["srt", "vtt"]},
               "filename": {"type": ["string", "null"]}, "sha256": {"type": "string"},
               "created": {"type": "string", "format": "date-time"},
               "segment_count": {"type": "integer", "minimum": 1, "maximum": MAX_CUES}}
    return {
        "TranscriptSummary": {"type": "object", "required": list(summary), "properties": summary},
        "Transcript": {"type": "object", "required": [*summary, "segments"],
                       "properties": {**summary, "segments": {"type": "array", "items": segment}}},
    }


def transcript_paths() -> dict[str, Any]:
    asset_id = [ref("parameters", "AssetId")]
    body = {"required": True, "content": {t: {"schema": {"type": "string"}} for t in (
        "application/x-subrip", "text/vtt", "text/plain", "application/octet-stream")}}
    invalid = error_response("`invalid_subtitles`: the file is not UTF-8 SRT or WebVTT, holds no cue, more than "
                             f"{MAX_CUES} cues, or a cue that ends before it starts; `details.line` is the line "
                             "of the fault (null when it is the whole file); a cue whose text holds characters "
                             "that disguise it adds `details.reason` `forbidden_characters`, `details.cue` and "
                             "`details.characters`. `invalid_language`; "
                             "`incomplete_body`.")
    return {
        "/api/v1/assets/{id}/transcripts": {
            "parameters": asset_id,
            "get": operation("transcripts", "listTranscripts", "The asset's transcripts (without their cues).",
                             {"200": {"description": "By language.", "content": json_content({
                                 "type": "object", "required": ["transcripts", "rejected"],
                                 "properties": {"transcripts": {"type": "array",
                                                                "items": schema("TranscriptSummary")},
                                                "rejected": {
                                                    "type": "array", "maxItems": 20,
                                                    "description": "Transcripts put before the recording's "
                                                                   "length was known and removed once it was, "
                                                                   "newest first: a cue starts at or after the "
                                                                   "end (`cue`, 1-based; `seconds`, the length).",
                                                    "items": {"type": "object",
                                                              "required": ["lang", "filename", "reason", "cue",
                                                                           "seconds", "at"],
                                                              "properties": {
                                                                  "lang": {"type": "string"},
                                                                  "filename": {"type": ["string", "null"]},
                                                                  "reason": {"enum": ["cue_past_end"]},
                                                                  "cue": {"type": "integer", "minimum": 1},
                                                                  "seconds": {"type": "number"},
                                                                  "at": {"type": "string", "format": "date-time"}}}}}})},
                              "404": NOT_FOUND}),
        },
        "/api/v1/assets/{id}/transcripts/{lang}": {
            "parameters": [*asset_id, LANG],
            "get": operation("transcripts", "getTranscript", "One transcript with its cues in file order.",
                             {"200": {"description": "The transcript.", "content": json_content(schema("Transcript"))},
                              "400": invalid, "404": NOT_FOUND}),
            "put": operation("transcripts", "putTranscript",
                             "Add or replace the transcript in a language: the body is the SRT or WebVTT file "
                             "(UTF-8; `WEBVTT` first makes it WebVTT). Its cues become timecoded search "
                             "segments; an Event `transcript.added` or `transcript.replaced` is written.",
                             {"201": {"description": "Added.", "content": json_content(schema("TranscriptSummary"))},
                              "200": {"description": "Replaced.",
                                      "content": json_content(schema("TranscriptSummary"))},
                              "400": invalid, "403": FORBIDDEN, "404": NOT_FOUND,
                              "413": error_response(f"`body_too_large`: more than {MAX_BYTES} bytes.")},
                             requestBody=body),
            "delete": operation("transcripts", "removeTranscript", "Remove the transcript in a language.",
                                {"204": {"description": "Removed."}, "400": invalid, "403": FORBIDDEN,
                                 "404": NOT_FOUND}),
        },
    }
