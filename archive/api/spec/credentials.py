"""`paths` and schemas of content credentials (C2PA): verifying a file, and the asset's field."""
from __future__ import annotations

from typing import Any, Mapping

from archive.api.spec.components import error_response, json_content, schema
from archive.api.spec.paths import operation
from archive.provenance import credentials
from archive.provenance.credential_models import STATES

# The code of a fixed reason an export went out unsigned (null: the reason is the signer's or the
# signing library's own English).
DETAIL = {"enum": [credentials.HLS_SEGMENTS, credentials.OVER_LIMIT, credentials.FILE_MISSING,
                   credentials.NOT_CONFIGURED, credentials.NOT_WRITABLE_TYPE, None],
          "description": "`hls_segments` (HLS segments cannot carry C2PA), `over_limit` (larger than "
                         "ORTAK_C2PA_MAX_BYTES), `file_missing` (the file is missing from storage), "
                         "`not_configured` (no signing certificate is configured), `not_writable_type` (C2PA "
                         "is not written into files of this type); null for another reason."}


def schemas() -> dict[str, Any]:
    manifest = {
        "type": "object",
        "required": ["label", "claim_generator", "signer", "time", "actions", "ingredients", "state", "failures"],
        "properties": {
            "label": {"type": "string", "description": "The manifest's URN."},
            "claim_generator": {"type": ["string", "null"], "description": "What made it, e.g. `Ortak 1`."},
            "title": {"type": ["string", "null"]}, "format": {"type": ["string", "null"]},
            "signer": {"type": "object", "description": "`issuer` (organisation), `common_name`, `alg`, "
                                                        "`cert_serial_number` of the signing certificate."},
            "time": {"type": ["string", "null"], "description": "A timestamp authority's time, else the time Ortak "
                                                                "wrote into its own assertion (not a trusted time)."},
            "actions": {"type": "array", "items": {"type": "object"},
                        "description": "`action` (`c2pa.opened`, `c2pa.transcoded`, `c2pa.trimmed`, ...) and its "
                                       "parameters."},
            "ingredients": {"type": "array", "items": {"type": "object"},
                            "description": "`title`, `format`, `relationship` (`parentOf`...), `active_manifest`."},
            "author": {"type": "array", "items": {"type": "string"}},
            "ortak": {"type": ["object", "null"], "description": "Ortak's assertion `org.ortak.export`: source_id, "
                      "source_sha256, organisation, in/out, signed_at..."},
            "state": {"enum": ["valid", "trusted", "invalid", "unverified"]},
            "failures": {"type": "array", "items": schema("CredentialFailure")}}}
    return {
        "CredentialFailure": {"type": "object", "required": ["code", "explanation"],
                              "properties": {"code": {"type": "string", "examples": ["assertion.bmffHash.mismatch"]},
                                             "explanation": {"type": "string"}}},
        "CredentialManifest": manifest,
        "ContentCredentials": {
            "type": ["object", "null"],
            "description": "The C2PA manifest the original carried when it was ingested (null before the "
                           "`credentials` step ran), and exports of the asset that went out unsigned.",
            "required": ["state", "reason", "manifests", "read_at", "renditions", "unsigned_exports"],
            "properties": {
                "state": {"enum": [*STATES, None]},
                "reason": {"type": ["string", "null"], "description": "Why `invalid` or `unsupported`."},
                "manifests": {"type": "array", "items": schema("CredentialManifest"),
                              "description": "The chain, newest first (each `parentOf` ingredient's manifest next)."},
                "read_at": {"type": ["string", "null"], "format": "date-time"},
                "renditions": {"type": "object", "description": "Per downloadable rendition (proxy, poster) and "
                               "the HLS ladder: `state` `signed`, `no_signer`, `not_writable` (HLS, MXF) or "
                               "`signing_failed`, and `reason`; `detail` names a fixed reason by its code.",
                               "additionalProperties": {"type": "object", "properties": {
                                   "state": {"enum": ["signed", "no_signer", "not_writable", "signing_failed", "too_large"]},
                                   "detail": DETAIL, "reason": {"type": "string"}}}},
                "unsigned_exports": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "export": {"type": "string", "examples": ["rendition:hls", "basket:…", "clip:…"]},
                        "reason_code": {"enum": ["no_signer", "not_writable", "signing_failed", "too_large"]},
                        "detail": DETAIL, "reason": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}}}},
        "CredentialVerification": {
            "type": "object", "required": ["filename", "size", "sha256", "state", "reason", "failures", "manifests"],
            "properties": {"filename": {"type": "string"}, "size": {"type": "integer"},
                           "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                           "state": {"enum": ["absent", "valid", "trusted", "invalid", "unverified"]},
                           "reason": {"type": ["string", "null"]},
                           "failures": {"type": "array", "items": schema("CredentialFailure")},
                           "manifests": {"type": "array", "items": schema("CredentialManifest")}}},
    }


def credential_paths(config: Mapping[str, Any]) -> dict[str, Any]:
    limit = int(config["C2PA_VERIFY_MAX_BYTES"])
    return {
        "/api/v1/provenance/verify": {"post": operation(
            "provenance", "verifyCredentials",
            "The C2PA content credentials a file carries: the chain of manifests (claim generator, signer, time, "
            "actions, ingredients, validation state) and the file's SHA-256. Nothing is stored.",
            {"200": {"description": "`absent`, `valid`, `trusted` (the signer chains to the archive's trust "
                                    "anchors), `invalid` with `reason`, or `unverified` (larger than "
                                    "ORTAK_C2PA_MAX_BYTES: the manifests are shown, their hashes not checked).",
                     "content": json_content(schema("CredentialVerification"))},
             "400": error_response("`malformed_multipart`: a form field other than `file`, or what comes "
                                   "before the first boundary, over the form's 500 kB bound."),
             "413": error_response(f"`file_too_large`: more than {limit} bytes."),
             "422": error_response("`file_required`: no multipart field `file`; `empty_file`; "
                                   "`unsupported_format`: a file the C2PA library cannot read "
                                   "(`details.reason` `format_not_supported`).")},
            requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary", "maxLength": limit}}}}}})},
    }
