"""`components` of the OpenAPI document, built from the constants the validators use.

Every enum, length and pattern here is read from the module that enforces it, so a new
genre, role or limit changes the document with the code. Limits that are settings
(MAX_TITLE_LENGTH, MAX_TEXT_LENGTH, ...) come from the configuration passed in.
"""
from __future__ import annotations

from typing import Any, Mapping

from archive.accounts.models import COUNTRIES, ROLES
from archive.api.body import MAX_BODY_BYTES, MAX_DEPTH
from archive.api.limits import HEADER_FIELDS_MAX, REQUEST_LINE_MAX
from archive.assets.models import GENRES, KINDS, STATUSES
from archive.assets.schemas import (LANGS, LANGUAGE_CODE_PATTERN, LISTS, MAX_ITEM, MAX_LIST, MAX_ORGANISATION,
                                    RECORDED_MIN_YEAR, RECORDED_PATTERN)
from archive.ingest.models import UPLOAD_STATUSES
from archive.ingest.tus import TUS_VERSION
from search.interfaces import SORTS
from archive.renditions.models import RENDITION_STATUSES


def ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name: str) -> dict[str, str]:
    return ref("schemas", name)


def nullable(value: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [value, {"type": "null"}]}


def json_content(value: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": value}}


# The header that names a stored document (contract documents, commission minutes).
FILENAME_HEADER: dict[str, Any] = {
    "name": "Ortak-Filename", "in": "header", "schema": {"type": "string"},
    "description": "The file's name: URL-encoded UTF-8 (`s%C3%B6zle%C5%9Fme.pdf`), RFC 8187 "
                   "(`UTF-8''s%C3%B6zle%C5%9Fme.pdf`) or raw UTF-8; stored decoded, without directories. "
                   "400 `invalid_filename` when it is not UTF-8 or holds control or invisible characters."}


def error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": json_content(schema("Error"))}


def _localised(limit: int, *, patch: bool) -> dict[str, Any]:
    text: dict[str, Any] = {"type": ["string", "null"] if patch else "string", "maxLength": limit}
    return {"type": "object", "additionalProperties": False, "properties": {lang: text for lang in LANGS}}


def _text_list(*, patch: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["array", "string", "null"] if patch else "array",
                           "items": {"type": "string", "maxLength": MAX_ITEM}, "maxItems": MAX_LIST}
    if patch:
        out["description"] = (f"A list of at most {MAX_LIST} texts of at most {MAX_ITEM} characters, or one text "
                              "with the items separated by commas; null or an empty list removes the field.")
    return out


def _language_codes(*, patch: bool) -> dict[str, Any]:
    return {"type": ["array", "string", "null"] if patch else "array", "maxItems": MAX_LIST,
            "items": {"type": "string", "pattern": LANGUAGE_CODE_PATTERN if patch else "^[a-z]{2,3}$"},
            "description": "ISO 639 codes: 639-1 (`az`), 639-2/T and 639-3 (`aze`, `azj`), 639-2/B (`ger`), "
                           "any case. Stored as the 639-1 code when the language has one, else the 639-3 code "
                           "(`tur` → `tr`, `AZJ` → `azj`). An unknown code is refused (`unknown_language_code`)."}


def _recorded(*, patch: bool, latest: str) -> dict[str, Any]:
    # A year may also be sent as a number in a PATCH; it is the same year, with the same range.
    year = {"type": "integer", "minimum": RECORDED_MIN_YEAR}  # the latest year is today's: a 422 past it
    text = {"type": "string", "pattern": RECORDED_PATTERN}
    return {"oneOf": [text, year, {"type": "null"}] if patch else [text, {"type": "null"}],
            "examples": ["1975", "1975-06", "1975-06-21"],
            "description": f"A real date from {RECORDED_MIN_YEAR} (the oldest surviving camera photograph) to "
                           f"today, at the precision known: YEAR, YEAR-MONTH or a full date. {latest}"}


def metadata_schemas(max_title: int, max_text: int) -> dict[str, Any]:
    latest = ("Today is the date in UTC+14, so no recording anywhere is in the future; outside the range "
              "`date_out_of_range`, an impossible date `invalid_date`.")
    response = {
        "type": "object",
        "required": ["title", "description", "genre", *LISTS, "recorded", "languages", "organisation", "country"],
        "properties": {
            "title": _localised(max_title, patch=False),
            "description": _localised(max_text, patch=False),
            "genre": {"enum": [*GENRES, None]},
            **{name: _text_list(patch=False) for name in LISTS},
            "recorded": _recorded(patch=False, latest=latest),
            "languages": _language_codes(patch=False),
            "organisation": {"type": ["string", "null"]},
            "country": {"enum": list(COUNTRIES)},
        },
    }
    patch = {
        "description": (
            "Any subset of the metadata fields; unknown fields are refused (`unknown_field`). `null` removes a "
            f"field; `organisation` and `country` cannot be removed and are for admins only. Titles are at most "
            f"{max_title} characters in each language, descriptions {max_text}, list items {MAX_ITEM}, lists "
            f"{MAX_LIST} items, the organisation {MAX_ORGANISATION} (lengths after Unicode NFC normalisation and "
            "trimming). In `title` and `description` an empty text or null removes that language; a change that "
            "would leave an asset that had a title with none is refused (`empty_title`). Every mistake is "
            "reported at once in `details.errors`."),
        "type": "object", "additionalProperties": False,
        "properties": {
            "title": {**_localised(max_title, patch=True), "type": ["object", "null"]},
            "description": {**_localised(max_text, patch=True), "type": ["object", "null"]},
            "genre": {"enum": [*GENRES, "", None], "description": "An empty text or null removes the genre."},
            **{name: _text_list(patch=True) for name in LISTS},
            "recorded": _recorded(patch=True, latest=latest),
            "languages": _language_codes(patch=True),
            "organisation": {"type": "string", "maxLength": MAX_ORGANISATION,
                             "description": "Admins only: the name of an existing organisation."},
            "country": {"enum": list(COUNTRIES), "description": "Admins only."},
        },
    }
    return {"Metadata": response, "MetadataPatch": patch}


def schemas(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
                "code": {"type": "string", "description": "Machine-readable."},
                "message": {"type": "string", "description": "For a person, in English."},
                "details": {"type": "object"}}}},
        },
        "FieldError": {
            "type": "object", "required": ["field", "code", "message", "params"],
            "properties": {
                "field": {"type": "string", "examples": ["title.tr", "recorded"]},
                "code": {"enum": ["not_text", "too_long", "not_an_object", "unknown_language", "not_a_list",
                                  "invalid_choice", "invalid_date", "date_out_of_range", "unknown_language_code",
                                  "empty_title", "unknown_field", "forbidden_characters"]},
                "message": {"type": "string"},
                "params": {"type": "object", "description": "too_long: limit, length; unknown_language: language; "
                           "not_a_list: max_items; invalid_choice: choices; date_out_of_range: min, max; "
                           "unknown_language_code: values; unknown_field: fields; forbidden_characters: characters "
                           "(code points such as U+202E)."}},
        },
        "Health": {
            "type": "object", "required": ["ok", "checks"],
            "properties": {"ok": {"type": "boolean"}, "checks": {"type": "object", "additionalProperties": {
                "type": "object", "properties": {"ok": {"type": "boolean"}, "error": {"type": "string"}}}},
                "warnings": {"type": "object", "description": "What works but not as configured; never a 503. "
                             "`content_credentials`: `ok` false with `warning` when exports go out unsigned "
                             "(no or an unusable C2PA signing key), else the signer's `signer`, `fingerprint`, "
                             "`not_after`.",
                             "additionalProperties": {"type": "object", "properties": {
                                 "ok": {"type": "boolean"}, "warning": {"type": "string"}}}}},
        },
        "Me": {
            "type": "object", "required": ["id", "email", "role", "organisation", "country", "locale"],
            "properties": {
                "id": {"type": "integer"}, "email": {"type": "string"},
                "role": {"enum": list(ROLES)},
                "organisation": {"type": ["string", "null"]}, "country": {"enum": [*COUNTRIES, None]},
                "locale": {"type": ["string", "null"]}},
        },
        "AssetStatus": {"enum": list(STATUSES)},
        "Kind": {"enum": list(KINDS)},
        "Genre": {"enum": list(GENRES)},
        "Country": {"enum": list(COUNTRIES)},
        **metadata_schemas(int(config["MAX_TITLE_LENGTH"]), int(config["MAX_TEXT_LENGTH"])),
        "Rendition": {
            "type": "object", "required": ["name", "status", "progress"],
            "properties": {
                "name": {"type": "string", "examples": ["proxy", "poster"]},
                "status": {"enum": list(RENDITION_STATUSES)},
                "progress": {"type": "number", "minimum": 0, "maximum": 1},
                "size": {"type": ["integer", "null"],
                         "description": "Bytes: of the file the download serves (a proxy's or poster's "
                                        "signed copy when `credentials` is `signed`), else of all its files."},
                "sha256": {"type": ["string", "null"],
                           "description": "Of the bytes the download serves (its ETag): the signed copy's when "
                                          "`credentials` is `signed`, else the entry file's."},
                "credentials": {"enum": ["signed", "unsigned", None],
                                "description": "A proxy or poster: whether its download is the C2PA-signed copy; "
                                               "null for renditions that are never signed."},
                "unsigned_sha256": {"type": "string",
                                    "description": "Only when `credentials` is `signed`: the rendition file as "
                                                   "made (its file route and `files` give it)."},
                "unsigned_size": {"type": "integer", "description": "Only when `credentials` is `signed`."},
                "content_type": {"type": ["string", "null"]},
                "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]},
                "error": {"type": ["string", "null"]},
                "entry": {"type": ["string", "null"], "examples": ["proxy.mp4", "master.m3u8"],
                          "description": "The path of the file a client opens first, once a make has completed."},
                "file_count": {"type": "integer", "minimum": 0,
                               "description": "How many files the current make has (0 before one completed)."},
                "url": {"type": ["string", "null"],
                        "description": "Where to read the rendition once a make has completed: the download URL "
                                       "of a one-file rendition, the file URL of the entry of a larger one."},
                "live": {"type": "boolean",
                         "description": "No make has completed, and the running one publishes as it goes (an HLS "
                                        "ladder): `live_url` can be played while it is made."},
                "live_url": {"type": ["string", "null"],
                             "description": "While `live`: the file URL of the published master playlist, whose "
                                            "media playlists are EVENT playlists that grow until the make is "
                                            "complete (then VOD, with ENDLIST, at the same URLs)."}},
        },
        "RenditionManifest": {
            "allOf": [schema("Rendition")],
            "type": "object", "required": ["name", "status", "progress", "files"],
            "properties": {"files": {"type": "array", "description": "The files of the current make, by path.",
                                     "items": {"type": "object", "required": ["path", "size", "sha256",
                                                                              "content_type", "url"],
                                               "properties": {"path": {"type": "string"},
                                                              "size": {"type": "integer", "minimum": 0},
                                                              "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                                              "content_type": {"type": "string"},
                                                              "url": {"type": "string"}}}}},
        },
        # Fields may be added (never removed or renamed): clients ignore what they do not know.
        "OrganisationRef": {
            "type": "object", "required": ["id", "name", "country"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "country": schema("Country")},
        },
        "Person": {
            "type": "object", "required": ["id", "name", "organisation", "email"],
            "description": "A user as others see them: the name (null: show \"a user of ORGANISATION\") and "
                           "organisation to everyone, the e-mail address only to the same organisation and admins.",
            "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]},
                           "organisation": nullable(schema("OrganisationRef")),
                           "email": {"type": ["string", "null"]}},
        },
        "Holding": {
            "type": "object", "required": ["organisation", "created", "filename", "metadata", "uploader"],
            "description": "Another organisation that uploaded the same bytes: recorded as also holding a copy, "
                           "with the file name and metadata it sent.",
            "properties": {"organisation": schema("OrganisationRef"),
                           "created": {"type": "string", "format": "date-time"},
                           "filename": {"type": "string"}, "metadata": {"type": "object"},
                           "uploader": nullable(schema("Person"))},
        },
        "Asset": {
            "type": "object",
            "required": ["id", "title", "status", "error", "filename", "size", "sha256", "kind", "content_type",
                         "created", "updated", "metadata", "uploader", "download_url", "renditions"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "title": {"type": "string",
                          "description": "The display title: the reader's language, then en, tr, az, then the filename."},
                "status": schema("AssetStatus"),
                "error": {"type": ["string", "null"], "description": "Why the asset was rejected or failed, for a person."},
                "filename": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
                "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$",
                           "description": "Null for a clip that is not cut yet, and while the asset is uploading."},
                "kind": {"enum": [*KINDS, None]},
                "content_type": {"type": ["string", "null"],
                                 "description": "The original's MIME type (its download's Content-Type): once "
                                                "probed, the type of the container its bytes are; before, the "
                                                "one its name or the upload declared."},
                "created": {"type": "string", "format": "date-time"},
                "updated": {"type": "string", "format": "date-time"},
                "metadata": schema("Metadata"),
                "technical": {"type": ["object", "null"],
                              "description": "From ffprobe: container, codecs, duration, frame rate, resolution, "
                                             "audio channels, start timecode. Not in list items."},
                "lineage": {"type": ["object", "null"],
                            "description": "For clips: source_id, in, out, actual_in, actual_out, mode. Not in list items."},
                "renditions": {"type": "array", "items": schema("Rendition"),
                               "description": "In list items only name, status and progress."},
                "uploader": nullable(schema("Person")),
                "holdings": {"type": "array", "items": schema("Holding"),
                             "description": "Other organisations holding a copy, oldest first. Not in list items."},
                "error_code": {"type": ["string", "null"],
                               "description": "Machine-readable reason of `error` (e.g. `truncated`, `index_missing`, `corrupt`)."},
                "download_url": {"type": "string"},
                "upload": {**nullable(schema("UploadProgress")),
                           "description": "While the asset is `uploading`: how far its tus upload is; else null."},
                "content_credentials": {**schema("ContentCredentials"), "description": "C2PA: the manifest the "
                                        "original carried at ingest and exports that went out unsigned; null "
                                        "before it was read. Not in list items."}},
        },
        "AssetPage": {
            "type": "object", "required": ["total", "page", "per_page", "items"],
            "properties": {"total": {"type": "integer", "minimum": 0}, "page": {"type": "integer"},
                           "per_page": {"type": "integer"}, "items": {"type": "array", "items": schema("Asset")}},
        },
        "Event": {
            "type": "object", "required": ["id", "at", "action", "actor", "before", "after"],
            "properties": {
                "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"},
                "action": {"type": "string", "examples": ["asset.created", "asset.metadata_changed"]},
                "actor": nullable(schema("Person")),
                "before": {"type": ["object", "null"], "description": "The changed fields only."},
                "after": {"type": ["object", "null"]}},
        },
        "SearchResult": {
            "type": "object", "required": ["total", "page", "per_page", "hits", "facets"],
            "properties": {
                "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "hits": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "snippet", "score", "segments"],
                    "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                   "snippet": {"type": "string"}, "score": {"type": "number"},
                                   "highlights": {"type": "object", "additionalProperties": {"type": "string"},
                                                  "description": "`title`, `description`: HTML-escaped text "
                                                                 "with <mark> around the matched words, where "
                                                                 "a word matched."},
                                   "segments": {"type": "array", "items": {"type": "object"},
                                                "description": "Timecoded hits (transcript cues, markers): "
                                                               "`in`, `out` (timecodes), `in_seconds`, "
                                                               "`out_seconds`, `text`, `highlight`, `lang`, "
                                                               "`source` (`transcript` or `marker`)."}}}},
                "sort": {"enum": list(SORTS)},
                "facets": {"type": "object", "description": "facet → value → count over the matches; a facet that has a filter is "
                                          "counted with every other filter but not its own (its other values "
                                          "keep their counts: multi-select); with `cleared`, `cleared`: "
                                          "platform → matches cleared there",
                           "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}},
                "did_you_mean": {"type": ["string", "null"],
                                 "description": "When a query with words finds nothing: the same query with words "
                                                "of the archive spelled like the typed ones, which finds something; "
                                                "else null."}},
        },
        "UploadProgress": {
            "type": "object", "required": ["id", "offset", "length", "progress", "expires_at"],
            "description": "The tus upload of an `uploading` asset: `offset` bytes of `length` received.",
            "properties": {
                "id": {"type": "string", "description": "The upload (GET /api/v1/uploads/{id})."},
                "offset": {"type": "integer", "minimum": 0, "description": "Bytes received and stored."},
                "length": {"type": "integer", "minimum": 1, "description": "Bytes in all (Upload-Length)."},
                "progress": {"type": "number", "minimum": 0, "maximum": 1, "description": "offset ÷ length."},
                "expires_at": {"type": "string", "format": "date-time",
                               "description": "An upload not finished by then is removed with its asset."}},
        },
        "CarriedOver": {
            "type": "object", "required": ["applied", "not_applied"],
            "description": "What was typed for a duplicate upload (archive.ingest.carry_over). Each entry: `what` "
                           "(`title`, `description`, a metadata field, `transcript`, `marker`, `rights_block`), `to` "
                           "(`asset`: the asset that holds the bytes; `holding`: your organisation's holding of "
                           "it), and: a field's `lang` and `value` (or `values` for a list); a transcript's `lang`, "
                           "`filename`, `sha256`, `cues`; a marker's `text`, `in_frame`, `out_frame`, `rate`; an "
                           "applied transcript, marker or block its `id` there, a block not applied its `block` "
                           "(the rights block's shape). Your organisation's own asset gains what it lacks; another "
                           "organisation's asset keeps its metadata (yours goes to your holding), and takes none "
                           "of your transcripts or rights blocks; markers go to the asset either way.",
            "properties": {
                "applied": {"type": "array", "items": {"type": "object", "required": ["what", "to"]}},
                "not_applied": {"type": "array", "items": {
                    "type": "object", "required": ["what", "to", "reason"],
                    "properties": {"reason": {"enum": ["conflict", "not_your_asset", "exclusive_conflict",
                                                       "too_many", "cue_past_end"]}}}}}},
        "Upload": {
            "type": "object", "required": ["id", "offset", "length", "status", "asset_id", "filename", "expires_at"],
            "properties": {
                "id": {"type": "string"}, "offset": {"type": "integer", "minimum": 0},
                "length": {"type": "integer", "minimum": 1},
                "status": {"enum": list(UPLOAD_STATUSES)},
                "asset_id": {"type": ["string", "null"],
                             "description": "The asset the upload links: its own (`uploading` until complete) from "
                                            "creation on; for a duplicate the asset that held the bytes; null once "
                                            "aborted."},
                "filename": {"type": ["string", "null"]},
                "holding": {"enum": ["added", "already_held", "own_asset", None],
                            "description": "For a duplicate: `added` (your organisation is now recorded as holding "
                                           "a copy), `already_held`, or `own_asset`."},
                "carried_over": {"oneOf": [schema("CarriedOver"), {"type": "null"}],
                                 "description": "For a duplicate: what was typed for the upload (its metadata, the "
                                                "transcripts, markers and rights blocks of its asset) and went to the "
                                                "asset that held the bytes or to your organisation's holding of it, "
                                                "and what did not, with why."},
                "expires_at": {"type": "string", "format": "date-time"}},
        },
    }
    return out


def responses(config: Mapping[str, Any]) -> dict[str, Any]:
    header_bytes = int(config["MAX_HEADER_BYTES"])
    return {
        "BadRequest": error_response(
            "A malformed request: `invalid_parameter` (details.parameter names it; an integer parameter takes the "
            "digits 0-9 only), `malformed_json` (details.reason: syntax, encoding, too_deep, not_finite, "
            "number_too_long, duplicate_key, invalid_unicode, not_an_object, incomplete), `invalid_query`, `csrf_failed`, "
            "tus header errors."),
        "Unauthenticated": error_response("No caller (`unauthenticated`): send `Authorization: Bearer TOKEN`."),
        "Forbidden": error_response("The caller may not do this (`wrong_role`, `not_allowed_to_edit`, "
                                    "`admin_only`, `admin_only_field`, `not_your_upload`). A `wrong_role` has "
                                    "`details` `{action, roles, role}`: what was refused, the roles that may do "
                                    "it (admins among them) and the caller's."),
        "NotFound": error_response("No such thing (`asset_not_found`, `upload_not_found`, `rendition_not_found`); "
                                   "`duplicate_upload` for the id of an upload's asset removed because its bytes "
                                   "were in the archive already (`details.asset_id`: the asset that holds them; "
                                   "`details.carried_over`: what was typed for it, applied there or to the "
                                   "holding, and what was not, as the upload's `carried_over`)."),
        "Invalid": {
            "description": "The values do not validate: `invalid_metadata` with every field mistake in "
                           "`details.errors` (`details.field` names the first), or `organisation_not_found`.",
            "content": json_content({"allOf": [schema("Error"), {"properties": {"error": {"properties": {
                "details": {"properties": {"field": {"type": "string"},
                                           "errors": {"type": "array", "items": schema("FieldError")}}}}}}}]})},
        "UnsupportedMediaType": error_response("The body is not of the documented type (`unsupported_media_type`, "
                                               "`wrong_content_type`)."),
        "BodyTooLarge": error_response(f"`body_too_large`: a JSON body over {MAX_BODY_BYTES} bytes."),
        "TusVersion": {"description": f"`tus_version_unsupported`: send `Tus-Resumable: {TUS_VERSION}`.",
                       "headers": {"Tus-Version": {"schema": {"const": TUS_VERSION}}},
                       "content": json_content(schema("Error"))},
        "TooManyAttempts": {
            "description": "`too_many_attempts`: too many failed logins or invalid tokens from this account or "
                           "address; retry after `Retry-After` seconds (`details.retry_after`, `details.scope`).",
            "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 0}}},
            "content": json_content(schema("Error"))},
        "UriTooLong": error_response(f"`uri_too_long`: the request line is over {REQUEST_LINE_MAX} bytes."),
        "HeaderTooLarge": error_response(
            f"`header_too_large`: a header field (name, value and line end) is over {header_bytes} bytes; "
            f"`too_many_headers`: more than {HEADER_FIELDS_MAX} header fields."),
    }


def components(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `ortak token create EMAIL`."},
            "session": {"type": "apiKey", "in": "cookie", "name": "session",
                        "description": "A browser session; unsafe methods also need the X-CSRFToken header."},
        },
        "parameters": {
            "AssetId": {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"},
                        "description": "Anything that is not an asset id answers 404 `asset_not_found`."},
            "Lang": {"name": "lang", "in": "query", "schema": {"enum": list(LANGS)},
                     "description": "The reader's language, for display titles; else the caller's saved locale, "
                                    "else the best of Accept-Language. Another value answers 400."},
            "TusResumable": {"name": "Tus-Resumable", "in": "header", "required": True,
                             "schema": {"const": TUS_VERSION}},
            "UploadChecksum": {"name": "Upload-Checksum", "in": "header",
                               "schema": {"type": "string", "pattern": "^sha256 [A-Za-z0-9+/]{43}=$",
                                          "examples": ["sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]},
                               "description": "`sha256 <base64 digest>` of this request's body; a mismatch "
                                              "answers 460 and discards the body."},
        },
        "headers": {
            "ETag": {"schema": {"type": "string"}, "description": "The strong SHA-256 of the bytes, quoted."},
            "AcceptRanges": {"schema": {"const": "bytes"}},
            "ContentDisposition": {"schema": {"type": "string"}, "description":
                                   "attachment (or inline) with an ASCII filename and an RFC 5987 `filename*` in UTF-8."},
            "TusResumable": {"schema": {"const": TUS_VERSION}},
            "AccessDecision": {"schema": {"enum": ["allowed", "allowed_with_conditions"]},
                               "description": "What the access gate decided for this read."},
            "AccessConditions": {"schema": {"type": "string"},
                                 "description": "The conditions the use must honour (e.g. a credit line), as ASCII "
                                                "JSON; absent when there are none."},
        },
        "responses": responses(config),
        "schemas": schemas(config),
    }


JSON_LIMITS = (f"A JSON body is at most {MAX_BODY_BYTES} bytes and nests arrays and objects at most {MAX_DEPTH} deep; "
               "NaN, Infinity, numbers too large for a double, duplicate keys and lone surrogate escapes are refused.")
