"""`paths` of the OpenAPI document: one function per resource, limits read from the code.

Every operation also answers 414 `uri_too_long` and 431 `header_too_large` (the request
head limits of archive.api.limits); `operation` adds them, and 401 where a caller is needed.
"""
from __future__ import annotations

from typing import Any, Mapping

from archive.accounts.services import MAX_PASSWORD, MIN_PASSWORD
from archive.api import search_params
from search.interfaces import SORTS
from archive.api.spec.text import DOWNLOAD_TEXT, PATCH_TEXT, RENDITION_FILE_TEXT, UPLOADS_TEXT
from archive.api.limits import header_bytes_limit, metadata_limit
from archive.api.spec.components import JSON_LIMITS, error_response, json_content, ref, schema
from archive.access.declarations import MAX_TEXT as DECLARATION_MAX_TEXT
from archive.access.declarations import PLATFORMS
from archive.assets import views as asset_views
from archive.rights.ema import EMA_COLUMNS, LICENSE_TYPES, MAX_ROWS
from archive.renditions.files import CONTENT_TYPES
from archive.renditions.files import MAX_PATH as MAX_RENDITION_PATH
from archive.ingest.tus import CHECKSUM_ALGORITHMS, EXTENSIONS, METADATA_LIMIT_HEADER, TUS_VERSION
from search.fields import MAX_OFFSET, MAX_PER_PAGE

Operation = dict[str, Any]


def response(name: str) -> dict[str, str]:
    return ref("responses", name)


def operation(tag: str, operation_id: str, summary: str, responses: dict[str, Any], *, public: bool = False,
              **extra: Any) -> Operation:
    """An operation with the answers every request can get added (401 unless `public`)."""
    out: Operation = {"tags": [tag], "operationId": operation_id, "summary": summary, **extra}
    if public:
        out["security"] = []
    answers = dict(responses)
    if not public:
        answers.setdefault("401", response("Unauthenticated"))
        answers.setdefault("429", response("TooManyAttempts"))
    answers.setdefault("414", response("UriTooLong"))
    answers.setdefault("431", response("HeaderTooLarge"))
    out["responses"] = dict(sorted(answers.items()))
    return out


def page_parameters(max_page: int, max_per_page: int, default_per_page: int, page_note: str = "") -> list[dict]:
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": max_page, "default": 1},
         "description": "Digits 0-9 only." + page_note},
        {"name": "per_page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": max_per_page, "default": default_per_page},
         "description": "Digits 0-9 only."},
    ]


def meta_paths() -> dict[str, Any]:
    return {
        "/healthz": {"get": operation(
            "meta", "health", "200 when the database, storage, search and queue answer; 503 otherwise.",
            {"200": {"description": "All backends answer.", "content": json_content(schema("Health"))},
             "503": {"description": "At least one backend does not answer.", "content": json_content(schema("Health"))}},
            public=True)},
        "/api/v1/openapi.json": {"get": operation(
            "meta", "openapi", "This document, with the limits of the running configuration.",
            {"200": {"description": "The OpenAPI 3.1 document.", "content": json_content({"type": "object"})}},
            public=True)},
        "/api/v1/me": {"get": operation(
            "meta", "me", "The caller.",
            {"200": {"description": "The caller.", "content": json_content(schema("Me"))}})},
        "/api/v1/me/password": {"post": operation(
            "meta", "changePassword",
            "Change the caller's password. Every browser session and API token of the caller ends (a browser that "
            "made the change gets a new session). Wrong current passwords count as failed logins.",
            {"200": {"description": "Changed.", "content": json_content({
                "type": "object", "required": ["sessions_ended", "tokens_revoked"],
                "properties": {"sessions_ended": {"type": "integer", "minimum": 0},
                               "tokens_revoked": {"type": "integer", "minimum": 0}}})},
             "400": response("BadRequest"),
             "403": error_response("`wrong_password`: the current password is wrong."),
             "413": response("BodyTooLarge"),
             "415": response("UnsupportedMediaType"),
             "422": error_response(f"`weak_password` (fewer than {MIN_PASSWORD} characters), `password_too_long` "
                                   f"(more than {MAX_PASSWORD}), or `invalid_parameter` (a field missing)."),
             "429": response("TooManyAttempts")},
            requestBody={"required": True, "content": json_content({
                "type": "object", "required": ["current_password", "new_password"],
                "properties": {"current_password": {"type": "string", "minLength": 1},
                               "new_password": {"type": "string", "minLength": MIN_PASSWORD,
                                                "maxLength": MAX_PASSWORD}}})})},
    }


def search_path() -> dict[str, Any]:
    facets = []
    for name, rule in search_params.SEARCH_FACETS.items():
        describe = rule.describe
        item: dict[str, Any] = {"type": "string", "maxLength": search_params.MAX_FACET_VALUE}
        if isinstance(rule.allowed, tuple):
            item = {"enum": list(rule.allowed)}
        else:
            item["pattern"] = rule.allowed
        facets.append({"name": name, "in": "query", "style": "form", "explode": True,
                       "schema": {"type": "array", "maxItems": search_params.MAX_FACET_VALUES, "items": item},
                       "description": f"A value {describe}; another answers 400 `invalid_parameter`."})
    deepest = search_params.max_search_page(MAX_PER_PAGE)
    note = (f" Results past the first {MAX_OFFSET} are not served: the deepest page is "
            f"{MAX_OFFSET} ÷ per_page + 1 ({search_params.max_search_page(search_params.DEFAULT_PER_PAGE)} at "
            f"{search_params.DEFAULT_PER_PAGE} a page, {deepest} at {MAX_PER_PAGE}); "
            "a deeper one answers 400 with `details.max`.")
    search = {"get": operation(
        "search", "search", "Full-text search with facet filters and counts.",
        {"200": {"description": "One page of hits and the facet counts of all matches.",
                 "content": json_content(schema("SearchResult"))},
         "400": response("BadRequest")},
        description="Every word must match in some form: exact, folded (`İSTANBUL`, `istanbul` and `Istanbul` match "
                    "each other), stemmed (`türküleri` finds `türkü`), the other language's spelling (`Karabağ` finds "
                    "`Qarabağ`, Azerbaijani Cyrillic finds Latin), a synonym (`halı` finds `xalça` and `carpet`), "
                    "one typo in a word of 5+ letters; exact forms rank highest. A suffix after an apostrophe is "
                    "dropped (`Şuşa'da`). `\"a phrase\"` finds the words in a row, `-word` leaves out, `word*` is a "
                    "prefix. A `q` with no letter or digit (`🎉`, `***`, control characters alone such as `%00`) "
                    "answers 400 `invalid_query` with "
                    "`details.reason` `no_searchable_text`. A facet parameter may repeat; its values are OR-ed, "
                    "different facets are AND-ed. A facet that has a filter is counted with every other filter but not "
                    "its own, so its other values keep their counts (multi-select); the other facets are counted "
                    "with every filter. Every facet value is checked. Unknown parameters are ignored. "
                    "Assets not ready yet (`status` facet) are found by their own organisation only (admins find "
                    "all). Subtitle and transcript cues and markers are searched as timecoded segments: a hit lists "
                    "the ones that matched with in/out timecodes and seconds.",
        parameters=[
            {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": search_params.MAX_QUERY},
             "description": "Words to find in titles, descriptions, keywords, people and places, in every language "
                            "(UTF-8; other percent-escapes are 400 `invalid_parameter`, reason `not_utf8`)."},
            {"name": "as_you_type", "in": "query", "schema": {"type": "boolean", "default": False},
             "description": "`1` while the person is still typing `q` (suggestions as you type): its last word also "
                            "matches as a prefix (`İstanb` finds `İstanbul`); a last word of one letter is left out (`dede k` "
                            "searches `dede`)."},
            *facets,
            {"name": "sort", "in": "query", "schema": {"enum": list(SORTS)},
             "description": "`relevance` (default; without `q`, newest upload first), or `recorded`, `created` "
                            "(upload), `duration`, `title` (alphabetical in the searcher's language: ICU "
                            "collation, `ç` after `c`, `ə` after `e`, `ı` before `i`) ascending, `-name` "
                            "descending. Assets without a recording date, or of no known duration, come last both ways."},
            {"name": "recorded_from", "in": "query",
             "schema": {"type": "string", "pattern": search_params.DATE_PATTERN},
             "description": "Recorded on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."},
            {"name": "recorded_to", "in": "query",
             "schema": {"type": "string", "pattern": search_params.DATE_PATTERN},
             "description": "Recorded on or before this date (a year or month alone includes all its days)."},
            {"name": "cleared", "in": "query",
             "schema": {"type": "string", "maxLength": search_params.CLEARED_MAX,
                        "pattern": search_params.CLEARED_PATTERN},
             "description": "`PLATFORM:TERRITORY` (ISO 3166-1 alpha-2 or `WORLD`): only the assets the caller's "
                            "organisation may use there today (its own assets always), decided by the avails engine "
                            "for the whole asset; the `cleared` facet then counts, per platform, the matches "
                            "cleared in that territory. An unknown platform or territory answers 400."},
            # The schema's maximum is the deepest page at any page size, so whatever it allows is
            # served; smaller pages go deeper, as the description says.
            *page_parameters(deepest, MAX_PER_PAGE, search_params.DEFAULT_PER_PAGE, note),
            ref("parameters", "Lang"),
        ])}
    ema = {"get": operation(
        "search", "availsEma",
        "The avails of the same search's hits (that page of hits) in the MovieLabs EMA Avails column layout "
        "(CSV), for rights managers (the rows of their organisation's assets among the hits) and admins.",
        {"200": {"description": f"The CSV: the header {', '.join(EMA_COLUMNS)}, then one row per asset × grant × "
                                "territory × platform.", "content": {"text/csv": {"schema": {"type": "string"}}}},
         "400": error_response(f"`invalid_parameter` (as /search), `invalid_query`, or `export_too_large` (more "
                               f"than {MAX_ROWS} rows: narrow the search)."),
         "403": error_response("`wrong_role`: rights managers and admins only.")},
        description="Only grants are avails; `WORLD` is expanded to every ISO 3166-1 code minus the grant's "
                    "exclusions. `LicenseType` maps Ortak's platforms: "
                    + ", ".join(f"{p} → {t or '(none)'}" for p, t in LICENSE_TYPES.items())
                    + "; the Ortak platform is always in `LicenseRightsDescription`. An open end is `Open`. "
                      "Source: the EMA Avails spreadsheet template v1.7 (https://www.movielabs.com/md/avails/); "
                      "README \"Avails in the EMA layout\" gives every column.",
        parameters=search["get"]["parameters"])}
    return {"/api/v1/search": search, "/api/v1/avails/ema": ema}


def declaration_parameters() -> list[dict[str, Any]]:
    """The usage declaration as query parameters (a read of master-quality bytes)."""
    return [
        {"name": "platform", "in": "query", "schema": {"enum": list(PLATFORMS)},
         "description": "Usage declaration: where the material will be used."},
        {"name": "territory", "in": "query",
         "schema": {"type": "string", "pattern": "^([A-Za-z]{2}|WORLD|world)$", "examples": ["TR", "AZ", "WORLD"]},
         "description": "Usage declaration: ISO 3166-1 alpha-2, or WORLD."},
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "Usage declaration: first planned day of use."},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "Usage declaration: last planned day of use (not before `from`)."},
        {"name": "purpose", "in": "query", "schema": {"type": "string", "maxLength": DECLARATION_MAX_TEXT}},
        {"name": "programme", "in": "query", "schema": {"type": "string", "maxLength": DECLARATION_MAX_TEXT}},
    ]


def asset_paths(config: Mapping[str, Any]) -> dict[str, Any]:
    asset_id = [ref("parameters", "AssetId")]
    byte_headers = {"ETag": ref("headers", "ETag"), "Accept-Ranges": ref("headers", "AcceptRanges"),
                    "Content-Disposition": ref("headers", "ContentDisposition"),
                    "Ortak-Access-Decision": ref("headers", "AccessDecision"),
                    "Ortak-Access-Conditions": ref("headers", "AccessConditions"),
                    "Ortak-Content-Credentials": {
                        "description": "For `proxy` and `poster`: `signed` (a copy carrying Ortak's C2PA manifest "
                                       "with the master as its parent) or `unsigned` (no signer configured, or the "
                                       "signed copy not made yet).",
                        "schema": {"enum": ["signed", "unsigned"]}}}
    # What a file was uploaded as; anything else (or nothing recognisable) is application/octet-stream.
    media = {t: {"schema": {}} for t in ("video/*", "audio/*", "image/*", "application/octet-stream", "*/*")}
    download_responses = {
        "200": {"description": "The whole file, with the type it was stored as: `video/*`, `audio/*`, `image/*`, "
                               "`application/octet-stream`, or another type a file was uploaded with "
                               "(`application/mxf`...).", "headers": byte_headers, "content": media},
        "206": {"description": "The requested range.", "content": media, "headers": {
            **byte_headers, "Content-Range": {"schema": {"type": "string", "examples": ["bytes 0-1023/4096"]}}}},
        "302": {"description": f"S3 storage: a presigned URL valid for {int(config['PRESIGN_SECONDS'])} s.",
                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}},
        "304": {"description": "If-None-Match matched the ETag."},
        "400": response("BadRequest"),
        "404": error_response("`asset_not_found`, `rendition_not_found` (details.available lists the names), "
                              "or `blob_missing`."),
        "403": error_response("`rights_denied`: the access policy refused this read; `details.reasons` are "
                              "`{code, message}` objects, `details.conditions` and `details.blocks` what decided it. "
                              "`declaration_required`: a read of the original by another organisation than the "
                              "asset's needs a usage declaration (`details.reasons[0].missing`). "
                              "The refusal is recorded in the usage log."),
        "409": error_response("`rendition_not_ready`: no make of the rendition has completed yet (details has "
                              "status and progress; one being made again is served from its previous make), or "
                              "`rendition_has_many_files`: read its files by path (`details.url` is its entry's)."),
        "422": error_response("`invalid_declaration`: the usage declaration is malformed, incomplete (`required`: "
                              "a read of the original declares every field) or its air dates are past "
                              "(`date_in_past`); `details.errors` has one `{field, code, message, params}` per "
                              "mistake."),
        "416": {"description": "`range_not_satisfiable`; `Content-Range: bytes */SIZE`.",
                "headers": {"Content-Range": {"schema": {"type": "string"}}}, "content": json_content(schema("Error"))},
    }
    declaration = declaration_parameters()
    download_parameters = [
        {"name": "rendition", "in": "query", "schema": {"type": "string", "default": "original",
                                                         "examples": ["original", "proxy", "poster"]}},
        {"name": "inline", "in": "query", "schema": {"enum": ["1", "0", "true", "false", "yes", "no"]},
         "description": "`Content-Disposition: inline` for audio, video and images (for the player); everything "
                        "else stays an attachment."},
        {"name": "Range", "in": "header", "schema": {"type": "string", "examples": ["bytes=0-1023"]}},
        {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
        {"name": "If-Range", "in": "header", "schema": {"type": "string"}},
        *declaration,
    ]
    return {
        "/api/v1/assets": {"get": operation(
            "assets", "listAssets", "Assets, newest first.",
            {"200": {"description": "One page of assets (renditions summarised).",
                     "content": json_content(schema("AssetPage"))},
             "400": response("BadRequest")},
            parameters=[*page_parameters(asset_views.MAX_PAGE, asset_views.MAX_PER_PAGE, 20),
                        {"name": "status", "in": "query", "schema": schema("AssetStatus")},
                        {"name": "mine", "in": "query", "schema": {"enum": ["1", "0", "true", "false", "yes", "no"]},
                         "description": "1: only the caller's own uploads, in every status (processing and "
                                        "rejected included)."},
                        ref("parameters", "Lang")])},
        "/api/v1/assets/{id}": {
            "parameters": asset_id,
            "get": operation(
                "assets", "getAsset", "One asset: metadata, status, technical metadata, renditions.",
                {"200": {"description": "The asset.", "content": json_content(schema("Asset"))},
                 "400": response("BadRequest"), "404": response("NotFound")},
                parameters=[ref("parameters", "Lang")]),
            "patch": operation(
                "assets", "updateAsset", "Edit metadata (the uploader, rights managers and admins).",
                {"200": {"description": "The asset after the edit.", "content": json_content(schema("Asset"))},
                 "400": response("BadRequest"), "403": response("Forbidden"), "404": response("NotFound"),
                 "413": response("BodyTooLarge"), "415": response("UnsupportedMediaType"),
                 "422": response("Invalid")},
                description=PATCH_TEXT + " " + JSON_LIMITS,
                parameters=[ref("parameters", "Lang")],
                requestBody={"required": True, "content": json_content(schema("MetadataPatch"))}),
        },
        "/api/v1/assets/{id}/history": {
            "parameters": asset_id,
            "get": operation(
                "assets", "assetHistory", "Who changed what and when, newest first.",
                {"200": {"description": "The events of the asset.", "content": json_content({
                    "type": "object", "required": ["id", "events"],
                    "properties": {"id": {"type": "string", "format": "uuid"},
                                   "events": {"type": "array", "items": schema("Event")}}})},
                 "404": response("NotFound")})},
        **rendition_paths(config, byte_headers, declaration_free_answers(download_responses)),
        "/api/v1/assets/{id}/download": {
            "parameters": asset_id,
            "get": operation("assets", "download", "The bytes of the original or of a rendition.",
                             download_responses, description=DOWNLOAD_TEXT, parameters=download_parameters),
            "head": operation("assets", "downloadHead",
                              "The headers a download would have, without the bytes (and without a usage record).",
                              {k: v for k, v in download_responses.items() if k != "302"},
                              parameters=download_parameters),
        },
    }


def declaration_free_answers(download_responses: dict[str, Any]) -> dict[str, Any]:
    """The download's answers that a preview read can give too (no usage declaration)."""
    return {k: v for k, v in download_responses.items() if k not in ("422", "200", "206", "404", "409")}


def rendition_paths(config: Mapping[str, Any], byte_headers: dict[str, Any],
                    common: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a rendition, and one file of it (HLS playlists and segments, WebVTT,
    waveform JSON...) by its path inside the rendition."""
    params = [ref("parameters", "AssetId"),
              {"name": "name", "in": "path", "required": True,
               "schema": {"type": "string", "examples": ["proxy", "poster"]},
               "description": "The rendition's name; another answers 404 `rendition_not_found`."}]
    path_param = {"name": "path", "in": "path", "required": True,
                  "schema": {"type": "string", "maxLength": MAX_RENDITION_PATH, "examples": ["proxy.mp4"]},
                  "description": "The file's path inside the rendition, as the manifest lists it; it may contain "
                                 "`/` (written as it is, not encoded). Segments of A-Z a-z 0-9 . _ -; anything "
                                 "else (`..`, `.`, an empty segment, an encoded `/` or `\\`, NUL) names no file."}
    media = {t: {"schema": {}} for t in sorted({*CONTENT_TYPES.values(), "application/octet-stream"})}
    not_found = error_response("`asset_not_found`, `rendition_not_found`, or `rendition_file_not_found` (a path "
                               "that is not in the manifest); `blob_missing` when a stored file is gone.")
    not_ready = error_response("`rendition_not_ready`: no make of the rendition has completed yet and none is "
                               "publishing as it goes (details has status and progress). A rendition being made "
                               "again keeps serving its files.")
    file_headers = {**byte_headers, "Ortak-Rendition-Status": {
        "description": "`running`: a file a make still running has published (the rendition is `live`).",
        "schema": {"enum": ["running"]}}}
    file_answers = {
        **common,
        "200": {"description": "The file, with the media type of its extension.", "headers": file_headers,
                "content": media},
        "206": {"description": "The requested range.", "content": media, "headers": {
            **file_headers, "Content-Range": {"schema": {"type": "string", "examples": ["bytes 0-1023/4096"]}}}},
        "404": not_found, "409": not_ready,
    }
    return {
        "/api/v1/assets/{id}/renditions/{name}": {
            "parameters": params,
            "get": operation(
                "assets", "getRendition", "A rendition and the manifest of its files.",
                {"200": {"description": "The rendition with `files` (empty until a make has completed).",
                         "content": json_content(schema("RenditionManifest"))},
                 "404": error_response("`asset_not_found` or `rendition_not_found`.")})},
        "/api/v1/assets/{id}/renditions/{name}/{path}": {
            "parameters": [*params, path_param],
            "get": operation("assets", "renditionFile", "One file of a rendition (a preview read).", file_answers,
                             description=RENDITION_FILE_TEXT, parameters=[
                                 {"name": "Range", "in": "header", "schema": {"type": "string",
                                                                              "examples": ["bytes=0-1023"]}},
                                 {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                                 {"name": "If-Range", "in": "header", "schema": {"type": "string"}}]),
        },
    }


def upload_paths(config: Mapping[str, Any]) -> dict[str, Any]:
    max_size = int(config["MAX_UPLOAD_SIZE"])
    max_metadata = metadata_limit(header_bytes_limit(config))
    tus_headers = {"Tus-Resumable": ref("headers", "TusResumable")}
    duplicate = {
        "Ortak-Duplicate-Of": {"schema": {"type": "string", "format": "uuid"},
                               "description": "The archive already held these bytes: the existing asset."},
        "Ortak-Holding": {"schema": {"enum": ["added", "already_held", "own_asset"]},
                          "description": "For a duplicate: `added` (your organisation is now recorded as also "
                                         "holding a copy, its filename and metadata kept), `already_held`, "
                                         "`own_asset`."}}
    error_codes = {"400": response("BadRequest"), "403": response("Forbidden"), "404": response("NotFound"),
                   "410": error_response("`upload_expired`: start a new upload."), "412": response("TusVersion")}
    body = {"required": False, "content": {"application/offset+octet-stream": {"schema": {}}}}
    options = {"204": {"description": "tus capabilities.", "headers": {
        **tus_headers, "Tus-Version": {"schema": {"const": TUS_VERSION}},
        "Tus-Extension": {"schema": {"const": ",".join(EXTENSIONS)}},
        "Tus-Max-Size": {"schema": {"type": "integer"}, "description": f"{max_size} bytes."},
        "Tus-Checksum-Algorithm": {"schema": {"const": ",".join(CHECKSUM_ALGORITHMS)}},
        METADATA_LIMIT_HEADER: {"schema": {"type": "integer"},
                                "description": f"The longest Upload-Metadata value accepted: {max_metadata} bytes."}}}}
    append_answers = {
        "204": {"description": "Accepted; the new offset. When complete, `Ortak-Asset-Id` names the asset (an exact "
                               "duplicate names the existing one, `Ortak-Upload-Status: duplicate`).",
                "headers": {**tus_headers, "Upload-Offset": {"schema": {"type": "integer"}},
                            "Ortak-Asset-Id": {"schema": {"type": "string"}},
                            "Ortak-Upload-Status": {"schema": {"type": "string"}},
                            "Link": {"schema": {"type": "string"}}, **duplicate}},
        **error_codes,
        "409": error_response("`offset_mismatch` or `upload_finished`."),
        "411": error_response("`length_required`: neither Content-Length nor a chunked body."),
        "413": error_response("`exceeds_upload_length`: the body goes past Upload-Length."),
        "415": response("UnsupportedMediaType"),
        "460": error_response("`checksum_mismatch` (tus checksum extension); the bytes of this request are discarded."),
        "503": error_response("`storage_failed`: the upload arrived but could not be stored; retry the last request."),
        "507": error_response("`storage_failed`: the server could not stage the bytes."),
    }
    head_answers = {"200": {"description": "The offset and length.", "headers": {
        **tus_headers, "Upload-Offset": {"schema": {"type": "integer"}}, "Upload-Length": {"schema": {"type": "integer"}},
        "Upload-Metadata": {"schema": {"type": "string"}},
        "Ortak-Asset-Id": {"schema": {"type": "string"}, "description": "The asset the upload links (its own, "
                           "`uploading` until complete; for a duplicate the existing one)."},
        "Ortak-Upload-Status": {"schema": {"type": "string"}}, "Link": {"schema": {"type": "string"}},
        **duplicate}},
        **error_codes}
    delete_answers = {"204": {"description": "Terminated; its staged bytes are freed and its `uploading` asset "
                                             "is removed (from the database and the index).", "headers": tus_headers},
                      **error_codes, "409": error_response("`upload_finished`: the asset has its original.")}
    upload_id = [{"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    offset = {"name": "Upload-Offset", "in": "header", "schema": {"type": "integer", "minimum": 0, "examples": [0]},
              "description": "Required with PATCH."}
    return {
        "/api/v1/uploads": {
            "options": operation("uploads", "tusOptions", "tus discovery: version, extensions, maximum size, "
                                 "checksum algorithms, and the Upload-Metadata limit.", options, public=True),
            "post": operation(
                "uploads", "tusCreate",
                "Create an upload (producers and admins); the body may carry the first bytes (creation-with-upload).",
                {"201": {"description": "Created; `Location` is the upload URL. `Ortak-Asset-Id` names the asset "
                                        "the upload made at once, in status `uploading` and findable by its "
                                        "title by its organisation (with a complete body: the asset, or for a "
                                        "duplicate the existing one).", "headers": {
                    **tus_headers, "Location": {"schema": {"type": "string"}},
                    "Upload-Offset": {"schema": {"type": "integer"}},
                    "Ortak-Asset-Id": {"schema": {"type": "string", "format": "uuid"}},
                    "Ortak-Upload-Status": {"schema": {"enum": ["open", "complete", "duplicate"]}},
                    "Link": {"schema": {"type": "string"}, "description": '`</api/v1/assets/{id}>; rel="asset"`.'},
                    **duplicate}},
                 **{k: v for k, v in append_answers.items() if k not in ("204", "404", "410")},
                 "413": error_response(f"`upload_too_large`: Upload-Length is over {max_size} bytes; or "
                                       "`exceeds_upload_length` for a body past it."),
                 "422": response("Invalid")},
                description=UPLOADS_TEXT.format(max_size=max_size, max_metadata=max_metadata),
                parameters=[ref("parameters", "TusResumable"),
                            {"name": "Upload-Length", "in": "header", "required": True,
                             "schema": {"type": "integer", "minimum": 1, "maximum": max_size}},
                            {"name": "Upload-Metadata", "in": "header", "schema": {"type": "string",
                                                                                 "maxLength": max_metadata},
                             "description": f"Comma-separated `key base64(value)` pairs, at most {max_metadata} "
                                            "bytes; longer answers 431 `header_too_large`."},
                            ref("parameters", "UploadChecksum")],
                requestBody=body),
        },
        "/api/v1/uploads/{upload_id}": {
            "parameters": upload_id,
            "options": operation("uploads", "tusOptionsUpload", "tus discovery (as on the collection).", options,
                                 public=True),
            "head": operation("uploads", "tusOffset", "The current offset, to resume.", head_answers,
                              parameters=[ref("parameters", "TusResumable")]),
            "get": operation("uploads", "uploadStatus", "The upload as JSON (an Ortak extension, not part of tus).",
                             {"200": {"description": "The upload.", "content": json_content(schema("Upload"))},
                              "403": response("Forbidden"), "404": response("NotFound"),
                              "410": error_codes["410"]}),
            "patch": operation(
                "uploads", "tusAppend", "Append bytes at Upload-Offset.", append_answers,
                parameters=[ref("parameters", "TusResumable"), {**offset, "required": True},
                            ref("parameters", "UploadChecksum")],
                requestBody={**body, "required": True}),
            "delete": operation("uploads", "tusTerminate", "Abandon an unfinished upload (termination).",
                                delete_answers, parameters=[ref("parameters", "TusResumable")]),
            "post": operation(
                "uploads", "tusMethodOverride",
                "tus core: for clients that cannot send PATCH or DELETE; X-HTTP-Method-Override names the method "
                "(PATCH, DELETE or HEAD) and the request is answered as that method.",
                {**append_answers, **delete_answers, "200": head_answers["200"],
                 "204": {"description": "As PATCH or DELETE.", "headers": append_answers["204"]["headers"]},
                 "409": error_response("`offset_mismatch` or `upload_finished`."),
                 "405": {"description": "`method_not_allowed`: no or another override; `Allow` lists the methods.",
                         "headers": {"Allow": {"schema": {"type": "string"}}}, "content": json_content(schema("Error"))}},
                parameters=[ref("parameters", "TusResumable"),
                            {"name": "X-HTTP-Method-Override", "in": "header", "required": True,
                             "schema": {"enum": ["PATCH", "DELETE", "HEAD"]}},
                            offset, ref("parameters", "UploadChecksum")],
                requestBody=body),
        },
    }
