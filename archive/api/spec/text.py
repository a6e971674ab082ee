"""The longer prose of the OpenAPI document (kept apart so the builders stay readable)."""

INFO = (
    "Every endpoint except /healthz, the tus OPTIONS and this document needs a caller: an API token "
    "(`Authorization: Bearer TOKEN`, made with `ortak token create EMAIL`) or a browser session. Unsafe requests "
    "made with a session cookie must carry the CSRF token (`X-CSRFToken` header); bearer calls need none. Every "
    "client mistake answers a 4xx with the body `{{\"error\": {{\"code\", \"message\", \"details\"}}}}`, including "
    "a method a path does not support (405 `method_not_allowed`, with `Allow` and `details.allowed`). "
    "The request line is at most {request_line} bytes (414 `uri_too_long`), each header field at most "
    "{header_bytes} bytes (431 `header_too_large`), at most {header_fields} header fields (431 "
    "`too_many_headers`). Integer query parameters take the digits 0-9 only. Free text (titles, descriptions, "
    "keywords, marker text, basket names, rights and contract fields, co-production entries, usage declarations, "
    "transcript cues, account and organisation names) is refused with the field named (422, an entry or code "
    "`forbidden_characters`, params `characters`: [\"U+202E\", ...]; 400 `invalid_subtitles` with "
    "`details.reason` for a transcript cue) when it holds characters that make it read differently from how it "
    "is stored: the bidirectional embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, every other "
    "invisible format character (Unicode Cf: U+200B, U+200E, U+200F, U+061C, U+2060, U+00AD, an inner U+FEFF, "
    "tag characters...) and control characters other than tab and line breaks. ZERO WIDTH NON-JOINER (U+200C) and "
    "ZERO WIDTH JOINER (U+200D) are allowed: they reorder nothing, Perso-Arabic script needs ZWNJ and emoji "
    "sequences ZWJ."
)

PATCH_TEXT = (
    "Localised fields merge per language (an empty text or null removes that language); other fields replace "
    "(null or an empty value removes them). `organisation` and `country` may be changed by admins only; the "
    "country follows a new organisation unless given. Every change writes one `asset.metadata_changed` event "
    "with the changed fields before and after, and the asset is re-indexed."
)

DOWNLOAD_TEXT = (
    "Supports one `Range` (`bytes=a-b`, `bytes=a-`, `bytes=-n`) answered 206; several ranges, other units or a "
    "malformed header get the whole file (200). `ETag` is the strong SHA-256 of the bytes; `If-None-Match` gives "
    "304 and `If-Range` is honoured. Every request passes the access gate first: a refusal is 403 "
    "`rights_denied` with `details.reasons` (and is recorded). A read of the original that sends bytes is a use "
    "and leaves one usage record per read session: the reader's requests for the same file with the same usage "
    "declaration, with no pause longer than the read window between them, whatever byte each starts at (so a "
    "player's many Range requests are one use). The usage declaration travels as the query parameters "
    "`platform`, `territory`, `from`, `to`, `purpose`, `programme` (422 `invalid_declaration` with "
    "`details.errors` when malformed). `Ortak-Access-Decision` says what the gate decided and "
    "`Ortak-Access-Conditions` (ASCII JSON) what the use must honour. When the storage is S3 the answer is a 302 "
    "to a short-lived presigned URL, after the usage record is written. Only audio, video and images are ever "
    "served inline."
)

RENDITION_FILE_TEXT = (
    "A rendition is made of files: one for a proxy or a poster, playlists and segments for HLS, sprites and a "
    "WebVTT track for a storyboard. Their types follow the extension: `.m3u8` application/vnd.apple.mpegurl, "
    "`.ts` video/mp2t, `.m4s` video/iso.segment, `.mp4` video/mp4, `.m4a` audio/mp4, `.vtt` text/vtt, `.json` "
    "application/json, `.jpg` image/jpeg; media, playlists, WebVTT and JSON are served inline, anything else as an "
    "attachment. Range, ETag (the file's SHA-256), If-None-Match and If-Range as for downloads. Every request "
    "passes the access gate as a preview (a refusal is 403 `rights_denied`, recorded); an allowed preview leaves "
    "no usage record; a refused stream is one record for the whole read session, not one per segment. While a "
    "rendition is made again, the files of its previous make are served; they are removed once the new make is "
    "ready. On S3 storage an HLS playlist is answered 200 with a copy made for this request, whose media URIs "
    "are presigned URLs (`Cache-Control: private, no-store`, no ETag, no Range); other files are a 302 to a "
    "presigned URL. Behind nginx (ACCEL_REDIRECT_PREFIX set, local storage) an allowed GET is an empty 200 with "
    "`X-Accel-Redirect`, and nginx sends the bytes. An HLS ladder with no complete make is served while it is "
    "made (the rendition's `live` is true, `live_url` its master playlist): the master playlist, EVENT media "
    "playlists (`#EXT-X-PLAYLIST-TYPE:EVENT`, no `#EXT-X-ENDLIST`) listing the segments made so far, their init "
    "sections and those segments, with `Ortak-Rendition-Status: running` and, for the playlists, "
    "`Cache-Control: private, no-cache`; any other path is 404 `rendition_file_not_found`. Once the make is "
    "complete the same paths serve the VOD playlists (with `#EXT-X-ENDLIST`) and every file; if it fails, what "
    "it published is removed and the paths answer 409 `rendition_not_ready`."
)

UPLOADS_TEXT = (
    "The size limit ({max_size} bytes) is checked against Upload-Length before any byte is accepted. "
    "`Upload-Metadata` keys: `filename`, `title` and `description` (in the language named by `language`: tr, az "
    "or en, default en), `filetype`, and any other metadata field (see MetadataPatch; lists as comma-separated "
    "text). Its value may be {max_metadata} bytes long. Every metadata mistake is reported at once (422)."
)
