"""The longer prose of the OpenAPI document (kept apart so the builders stay readable)."""

INFO = (
    "Every endpoint except /healthz, the tus OPTIONS and this document needs a caller: an API token "
    "(`Authorization: Bearer TOKEN`, made with `ortak token create EMAIL`) or a browser session. Unsafe requests "
    "made with a session cookie must carry the CSRF token (`X-CSRFToken` header); bearer calls need none. Every "
    "client mistake answers a 4xx with the body `{{\"error\": {{\"code\", \"message\", \"details\"}}}}`, including "
    "a method a path does not support (405 `method_not_allowed`, with `Allow` and `details.allowed`). "
    "The request line is at most {request_line} bytes (414 `uri_too_long`), each header field at most "
    "{header_bytes} bytes (431 `header_too_large`), at most {header_fields} header fields (431 "
    "`too_many_headers`). Integer query parameters take the digits 0-9 only."
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
    "304 and `If-Range` is honoured. A read of the original writes a usage record (once per read: a request "
    "without Range or one starting at byte 0; later seeks are not recorded). When the storage is S3 the answer "
    "is a 302 to a short-lived presigned URL, after the usage record is written. Only audio, video and images "
    "are ever served inline."
)

UPLOADS_TEXT = (
    "The size limit ({max_size} bytes) is checked against Upload-Length before any byte is accepted. "
    "`Upload-Metadata` keys: `filename`, `title` and `description` (in the language named by `language`: tr, az "
    "or en, default en), `filetype`, and any other metadata field (see MetadataPatch; lists as comma-separated "
    "text). Its value may be {max_metadata} bytes long. Every metadata mistake is reported at once (422)."
)
