"""What the content-credential pages show, in the page's language: state labels, the reasons an
export went unsigned, and the verify page's errors (by code; the services speak English)."""
from __future__ import annotations

from typing import Any, Callable

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from archive.errors import ApiError
from archive.provenance import credentials

STATE_LABELS = {
    "absent": _l("No content credentials"),
    "valid": _l("Valid content credentials (signer not on this archive's trust list)"),
    "trusted": _l("Valid content credentials from a trusted signer"),
    "invalid": _l("Invalid content credentials: the file or its manifest was altered or is damaged"),
    "unsupported": _l("Content credentials cannot be read from this kind of file"),
    "unverified": _l("Content credentials shown but not checked: the file is too large to check here"),
}
UNSIGNED_REASONS = {
    "no_signer": _l("Not signed: no signing certificate is configured."),
    "not_writable": _l("Not signed: this format cannot carry content credentials (MXF, HLS segments)."),
    "signing_failed": _l("Not signed: signing failed."),
    "too_large": _l("Not signed: the file is too large to sign here."),
}
ERRORS = {
    "file_too_large": _l("The file is too large to verify here (at most %(limit)s bytes)."),
    "file_required": _l("Choose a file to verify."),
    "empty_file": _l("The file is empty."),
    "unsupported_format": _l("Content credentials cannot be read from this kind of file."),
    "malformed_multipart": _l("The form could not be read: send the file again."),
}


# C2PA's names (the specification's action, relationship and validation failure codes), in
# the page's language: the chain showed `c2pa.transcoded`, `parentOf` and c2pa-rs's English
# ("asset hash error, name: jumbf manifest, ...") on the Turkish and Azerbaijani pages. A name
# not listed is shown as it is (a code, or the library's English marked lang="en").
ACTION_LABELS = {
    "c2pa.created": _l("Created"),
    "c2pa.opened": _l("Opened"),
    "c2pa.edited": _l("Edited"),
    "c2pa.transcoded": _l("Transcoded"),
    "c2pa.trimmed": _l("Trimmed (cut in time)"),
    "c2pa.published": _l("Published"),
    "c2pa.converted": _l("Converted to another format"),
    "c2pa.cropped": _l("Cropped"),
    "c2pa.resized": _l("Resized"),
    "c2pa.repackaged": _l("Repackaged"),
    "c2pa.unknown": _l("Another change"),
}
RELATIONSHIP_LABELS = {
    "parentOf": _l("its source"),
    "componentOf": _l("a part of it"),
    "inputTo": _l("an input to it"),
}
FAILURE_LABELS = {
    "assertion.bmffHash.mismatch": _l("The video's bytes changed after it was signed."),
    "assertion.dataHash.mismatch": _l("The file's bytes changed after it was signed."),
    "assertion.hashedURI.mismatch": _l("A statement of the manifest changed after it was signed."),
    "claimSignature.mismatch": _l("The manifest's signature does not match it: the manifest was altered."),
    "signingCredential.expired": _l("The signing certificate had expired."),
    "signingCredential.revoked": _l("The signing certificate was revoked."),
    "signingCredential.untrusted": _l("The signer is not on this archive's trust list."),
}


def action_label(code: str | None) -> str:
    return str(ACTION_LABELS.get(code or "", code or ""))


def relationship_label(code: str | None) -> str:
    return str(RELATIONSHIP_LABELS.get(code or "", code or ""))


def failure_text(code: str | None, explanation: str | None) -> dict[str, str | None]:
    """One validation failure as a page shows it: {"code", "text", "lang"}: the sentence of
    a listed `code` in the page's language, else the library's `explanation` in English."""
    label = FAILURE_LABELS.get(code or "")
    if label is not None:
        return {"code": code, "text": str(label), "lang": str(get_locale() or "tr")}
    return {"code": code, "text": explanation or "", "lang": "en"}


def reason_parts(reason: str | None) -> list[dict[str, str | None]]:
    """A stored `reason` ("code: explanation; code: explanation", archive.media.credentials,
    or a sentence without a code) as `failure_text` parts."""
    parts = []
    for piece in (reason or "").split("; "):
        code, sep, explanation = piece.partition(": ")
        if sep and code and " " not in code:
            parts.append(failure_text(code, explanation))
        elif piece:
            parts.append({"code": None, "text": piece, "lang": "en"})
    return parts


def state_label(state: str | None) -> str:
    return str(STATE_LABELS.get(state or "", state or ""))


def present(result: dict[str, Any]) -> dict[str, Any]:
    """A verification (or an asset's `content_credentials`) with `label` added."""
    return {**result, "label": state_label(result.get("state"))}


def unsigned_label(code: str | None) -> str:
    return str(UNSIGNED_REASONS.get(code or "", code or ""))


# The services' fixed details of an unsigned hand-out, by their code (`detail`,
# archive.provenance.credentials), in the page's language; None: the label says it all.
UNSIGNED_DETAILS = {
    credentials.HLS_SEGMENTS: _l("The viewing copy (MP4) is signed; HLS segments are not, as content credentials are "
                                 "written into whole files."),
    credentials.FILE_MISSING: _l("The file is missing from storage."),
    credentials.OVER_LIMIT: None,
    credentials.NOT_CONFIGURED: None,
    credentials.NOT_WRITABLE_TYPE: None,
}


def unsigned_detail(detail: str | None, reason: str | None) -> dict[str, str] | None:
    """What a page shows after `unsigned_label`: {"text", "lang"}: a fixed detail (its code
    `detail`) in the page's language (None where the label says it all); any other `reason` (a
    signer's configuration, a signing library's error) is the technical English it was recorded
    in, marked `lang` "en"; None without either. A reason recorded without its code before
    `not_configured` existed, the services' exact sentence for it, counts as that code."""
    if detail is None and reason == credentials.NOT_CONFIGURED_REASON:
        detail = credentials.NOT_CONFIGURED  # recorded before the code was (the same fixed sentence)
    if detail in UNSIGNED_DETAILS:
        text = UNSIGNED_DETAILS[detail]
        return None if text is None else {"text": str(text), "lang": str(get_locale() or "tr")}
    return {"text": reason, "lang": "en"} if reason else None


def unsigned_text(code: str | None, detail: str | None, reason: str | None) -> str:
    """The whole reason of an unsigned hand-out as one line of text (a history row): the label
    of its `code`, then the translated fixed detail, or the English `reason` only where the
    detail has no sentence of its own (no code)."""
    label = unsigned_label(code)
    shown = unsigned_detail(detail, reason)
    return f"{label} {shown['text']}".strip() if shown else label


def error_text(exc: ApiError) -> str:
    template = ERRORS.get(exc.code)
    if template is None:
        return exc.message
    return str(template) % {"limit": (exc.details or {}).get("limit", "")}


def verification(uploaded: Callable[[], Any]) -> tuple[dict[str, Any] | None, str | None, int]:
    """A page's verification of the file `uploaded()` gives (a werkzeug FileStorage; it raises
    ApiError for a missing or oversized one): (the result with its `label`, None, 200), or
    (None, the refusal in the page's language, its 4xx status) for a missing, empty, oversized
    or unreadable file. A 5xx is raised."""
    try:
        upload = uploaded()
        return present(credentials.verify_upload(upload.stream, upload.filename)), None, 200
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return None, error_text(exc), exc.status
