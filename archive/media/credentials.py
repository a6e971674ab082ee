"""C2PA content credentials of a media file: read them, and sign a file with a new manifest.

Everything the C2PA library (`c2pa-python`, the Content Authenticity Initiative's bindings of
c2pa-rs) does for Ortak goes through here, on local files; no database, no storage.

- `read_file(path, trust_anchors=...)` → `CredentialReport`: the state of the file's manifest
  store, `absent` (none), `valid` (well formed, signatures and hashes check, signer not on the
  operator's trust list), `trusted` (valid, and the signer chains to a configured trust
  anchor), `invalid` (with the reasons: the validation failure codes of the C2PA
  specification 2.x §15, e.g. `assertion.bmffHash.mismatch` when a byte of the file changed)
  or `unsupported` (a format the library cannot read); and the chain of manifests, newest
  first, each with its claim generator, signer, time, actions and ingredients.
- `sign_file(src, dst, identity=..., manifest=..., parent=...)` writes `dst`: `src` with a
  new manifest, the file `parent` as its `parentOf` ingredient (its own manifest, if any, is
  carried inside the new one). JPEG, MP4 and QuickTime only (`WRITABLE`); anything else
  raises `NotWritable` and writes nothing (MXF: the library has no MXF writer).

The library never goes on the network here: remote manifests and OCSP are not fetched, and no
timestamp authority is asked (so a manifest's time is the `signed_at` Ortak writes into its
own assertion, not a trusted timestamp).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import serialization

# Extension → the MIME type the library signs it as. Source: c2pa-rs asset handlers (JPEG,
# BMFF); the formats Ortak hands out (proxies, clips, originals in baskets) that it writes.
WRITABLE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".mp4": "video/mp4", ".m4v": "video/mp4",
            ".mov": "video/quicktime"}
STATES = ("absent", "valid", "trusted", "invalid", "unsupported", "unverified")
ORTAK_ASSERTION = "org.ortak.export"  # Ortak's own assertion: asset ids, in/out, signed_at
UNTRUSTED = "signingCredential.untrusted"
MAX_REASONS = 10
# Offline, no thumbnails; the signer writes its output through a temporary file past 64 MB
# (c2pa-rs's default is 512 MB in memory; measured: signing a 200 MB MP4 peaked at 440 MiB
# resident with it, 247 MiB with 16-64 MB, see benchmarks/content_credentials.py).
_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
            "builder": {"thumbnail": {"enabled": False}},
            "core": {"backing_store_memory_threshold_in_mb": 64}}


class CredentialsError(Exception):
    """The library could not sign or read the file (a damaged file, a refused certificate)."""


class NotWritable(CredentialsError):
    """C2PA cannot be written into this format; `reason` says why (a person reads it)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class IdentityError(Exception):
    """The signing certificate chain or key cannot be used; the message says which and why."""


@dataclass(frozen=True)
class SigningIdentity:
    """An organisation's signing credential: the PEM chain (signer first, then intermediates,
    never the root), the PEM private key (ES256: EC P-256), and what names it."""

    chain: bytes
    key: bytes
    fingerprint: str  # SHA-256 hex of the signer certificate's DER
    subject: str  # the signer certificate's subject, RFC 4514
    not_after: str  # ISO-8601 UTC


def load_identity(cert_path: str, key_path: str) -> SigningIdentity:
    """Read the chain and key files; IdentityError naming the file when one is missing, is not
    PEM, holds no certificate, or the key is not the certificate's ES256 (P-256) key."""
    chain, key = _read(cert_path, "certificate chain"), _read(key_path, "private key")
    try:
        certs = x509.load_pem_x509_certificates(chain)
    except ValueError as exc:
        raise IdentityError(f"{cert_path}: not a PEM certificate chain ({exc})") from None
    try:
        private = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityError(f"{key_path}: not an unencrypted PEM private key ({exc})") from None
    leaf = certs[0]
    public = leaf.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    if private.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo) != public:
        raise IdentityError(f"{key_path}: the key is not the key of the first certificate in {cert_path}")
    if getattr(getattr(private, "curve", None), "name", None) != "secp256r1":
        raise IdentityError(f"{key_path}: an EC P-256 key is needed (ES256)")
    return SigningIdentity(chain=chain, key=key,
                           fingerprint=hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest(),
                           subject=leaf.subject.rfc4514_string(),
                           not_after=leaf.not_valid_after_utc.isoformat())


def signer_names(identity: SigningIdentity) -> dict[str, str]:
    """How a manifest signed by `identity` names its signer in a `ManifestSummary.signer`:
    {"common_name", "cert_serial_number" (decimal, as c2pa-rs's signature_info gives it)}."""
    leaf = x509.load_pem_x509_certificates(identity.chain)[0]
    cn = leaf.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return {"common_name": str(cn[0].value) if cn else "", "cert_serial_number": str(leaf.serial_number)}


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1024 * 1024)
    except OSError as exc:
        raise IdentityError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


@dataclass
class ManifestSummary:
    """One manifest of a chain, as a person reads it."""

    label: str
    claim_generator: str | None
    title: str | None
    format: str | None
    signer: dict[str, Any]  # issuer, common_name, alg, serial (signature_info)
    time: str | None  # the signature's trusted time, else Ortak's own signed_at, else None
    actions: list[dict[str, Any]]
    ingredients: list[dict[str, Any]]
    author: list[str]
    ortak: dict[str, Any] | None  # Ortak's own assertion, when Ortak signed it
    state: str  # valid / trusted / invalid, as the validation found this manifest
    failures: list[dict[str, str]] = field(default_factory=list)


@dataclass
class CredentialReport:
    """The state of a file's credentials, why (when invalid or unsupported), and its chain."""

    state: str
    reason: str | None = None
    failures: list[dict[str, str]] = field(default_factory=list)
    manifests: list[ManifestSummary] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _context(trust_anchors: str | None, *, verify: bool = True) -> c2pa.Context:
    config: dict[str, Any] = json.loads(json.dumps(_OFFLINE))
    if not verify:
        config["verify"]["verify_after_reading"] = False
    if trust_anchors:
        config["trust"] = {"trust_anchors": trust_anchors}
    return c2pa.Context.from_dict(config)


def mime_type(path: str) -> str | None:
    """The MIME type C2PA is written as for `path` (by its extension), None when not writable."""
    return WRITABLE.get(os.path.splitext(path)[1].lower())


def writable_type(content_type: str | None) -> str | None:
    """`content_type` (a file's type as its bytes show it) when C2PA is written into it, else None."""
    return content_type if content_type in WRITABLE.values() else None


def written_as(content_type: str | None, name: str) -> str | None:
    """The MIME type C2PA is written as into a file of `content_type` (the type its bytes show)
    when given, else into one named `name` (by its extension); None when it cannot be."""
    return writable_type(content_type) if content_type else mime_type(name)


def not_writable_reason(content_type: str | None, name: str) -> str:
    """Why C2PA is not written into a file `written_as` refuses (English, for the record)."""
    what = content_type or os.path.splitext(name)[1] or "these"
    return f"C2PA cannot be written into {what} files (writable: JPEG, MP4, MOV)"


def reader_format(content_type: str) -> str:
    """The format hint for a file whose bytes are of `content_type`: that type when the library
    reads it, else "" (the library then detects the container from the bytes)."""
    return content_type if content_type in c2pa.Reader.get_supported_mime_types() else ""


def read_file(path: str, *, name: str | None = None, content_type: str | None = None,
              trust_anchors: str | None = None, verify: bool = True) -> CredentialReport:
    """The credentials of the file at `path` (see the module docstring); its format from
    `content_type` (the type its bytes show: a name can lie) when given, else from `name` (the
    file's own name when `path` has none, a content-addressed blob). Never raises for
    the file's content: a damaged or foreign file is `invalid` or `unsupported` with the reason.
    `verify=False`: the manifests are read but nothing is checked (state `unverified`): cheap
    whatever the size, where checking a BMFF file holds its media box in memory."""
    fmt = reader_format(content_type) if content_type else format_of(name or path)
    with open(path, "rb") as fh:
        return read_stream(fh, fmt, trust_anchors=trust_anchors, verify=verify)


def format_of(filename: str) -> str:
    """The format hint for a file named `filename`: its extension when the library reads that
    format, else "" (the library then detects the container from the bytes)."""
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    return ext if ext and ext in c2pa.Reader.get_supported_mime_types() else ""


def read_stream(stream: Any, fmt: str = "", *, trust_anchors: str | None = None,
                verify: bool = True) -> CredentialReport:
    """`read_file` for an open, seekable binary stream; `fmt` a MIME type or extension ("":
    detected from the bytes)."""
    try:
        reader = c2pa.Reader.try_create(fmt, stream, context=_context(trust_anchors, verify=verify))
        if reader is None:
            return CredentialReport("absent")
        with reader:
            store = json.loads(reader.json())
            state = (reader.get_validation_state() or "Invalid").lower()
            results = reader.get_validation_results() or {}
    except c2pa.C2paError as exc:
        if type(exc).__name__.endswith("NotSupported"):
            return CredentialReport("unsupported", reason=_clean(exc))
        return CredentialReport("invalid", reason=_clean(exc))
    if not verify:
        return CredentialReport("unverified", manifests=chain(store, "unverified", []))
    failures = _failures((results.get("activeManifest") or {}).get("failure"))
    deltas = [f for delta in results.get("ingredientDeltas") or []
              for f in _failures(((delta.get("validationDeltas") or {}).get("failure")))]
    failures += deltas
    state = {"trusted": "trusted", "valid": "valid"}.get(state, "invalid")
    real = [f for f in failures if f["code"] != UNTRUSTED]
    if state == "valid" and real:
        state = "invalid"
    reason = "; ".join(f"{f['code']}: {f['explanation']}" for f in (real or failures)[:MAX_REASONS]) \
        if state == "invalid" else None
    return CredentialReport(state, reason=reason or (None if state != "invalid" else "validation failed"),
                            failures=failures[:MAX_REASONS * 5], manifests=chain(store, state, failures, deltas))


def _clean(exc: Exception) -> str:
    return str(exc).strip()[:500] or type(exc).__name__


def _failures(items: Any) -> list[dict[str, str]]:
    return [{"code": str(i.get("code", "")), "explanation": str(i.get("explanation", ""))[:300]}
            for i in items or [] if isinstance(i, dict)]


def chain(store: dict[str, Any], state: str, failures: list[dict[str, str]],
          deltas: list[dict[str, str]] = ()) -> list[ManifestSummary]:
    """The active manifest, then the manifest of its `parentOf` ingredient, and so on (a cycle
    or a missing manifest ends the walk). `state`/`failures`: of the whole store, given to the
    active manifest. An ingredient's manifest is `invalid` when the validation recorded with
    the ingredient when it was signed in, or this reading's `deltas` (the failures found in
    ingredients now), show a real failure; `valid` when its signer was not trusted (then, by
    the signer's trust anchors, or now); otherwise it shares the store's state."""
    manifests = store.get("manifests") or {}
    out: list[ManifestSummary] = []
    label, seen, own_state, own_failures = store.get("active_manifest"), set(), state, failures
    while label and label in manifests and label not in seen and len(out) < 50:
        seen.add(label)
        data = manifests[label]
        out.append(_summary(label, data, own_state, own_failures))
        parent = next((i for i in data.get("ingredients") or [] if i.get("relationship") == "parentOf"), None)
        if parent is None:
            break
        label = parent.get("active_manifest")
        recorded = _failures(((parent.get("validation_results") or {}).get("activeManifest") or {}).get("failure"))
        own_failures = [f for f in recorded if f["code"] != UNTRUSTED] + list(deltas)
        real = [f for f in own_failures if f["code"] != UNTRUSTED]
        untrusted = any(f["code"] == UNTRUSTED for f in recorded + list(deltas))
        own_state = "invalid" if real else ("valid" if untrusted or state == "invalid" else state)
        if state == "unverified":
            own_state, own_failures = "unverified", []
    return out


def _summary(label: str, data: dict[str, Any], state: str, failures: list[dict[str, str]]) -> ManifestSummary:
    generators = data.get("claim_generator_info") or []
    generator = ", ".join(" ".join(str(g.get(k)) for k in ("name", "version") if g.get(k))
                          for g in generators if isinstance(g, dict)) or data.get("claim_generator")
    sig = data.get("signature_info") or {}
    actions, author, ortak = [], [], None
    for assertion in data.get("assertions") or []:
        name, body = assertion.get("label", ""), assertion.get("data") or {}
        if name.startswith("c2pa.actions"):
            for a in body.get("actions") or []:
                actions.append({k: a[k] for k in ("action", "when", "softwareAgent", "description", "parameters",
                                                  "digitalSourceType") if k in a})
        elif name == "stds.schema-org.CreativeWork":
            author += [str(p.get("name")) for p in body.get("author") or [] if isinstance(p, dict) and p.get("name")]
        elif name == ORTAK_ASSERTION:
            ortak = body
    ingredients = [{k: i.get(k) for k in ("title", "format", "relationship", "active_manifest")}
                   for i in data.get("ingredients") or []]
    return ManifestSummary(
        label=label, claim_generator=generator, title=data.get("title"), format=data.get("format"),
        signer={k: sig.get(k) for k in ("issuer", "common_name", "alg", "cert_serial_number") if sig.get(k)},
        time=sig.get("time") or (ortak or {}).get("signed_at"), actions=actions, ingredients=ingredients,
        author=author, ortak=ortak, state=state, failures=failures[:MAX_REASONS])


def sign_file(src: str, dst: str, *, identity: SigningIdentity, manifest: dict[str, Any],
              parent: tuple[str, str] | None = None, name: str | None = None,
              trust_anchors: str | None = None, content_type: str | None = None,
              parent_type: str | None = None) -> None:
    """Write `dst`: `src` with `manifest` (a C2PA manifest definition: claim_generator_info,
    title, assertions) signed by `identity`, and `parent` (path, file name) as its `parentOf`
    ingredient labelled `parent` (the actions name it), read as `parent_type` (the type its
    bytes show) when given, else by its name's extension. `dst` takes `src`'s format:
    `content_type` (the type `src`'s bytes show) when given, else from `name`, else from
    `src`'s own name; NotWritable when that is not one of `WRITABLE`; CredentialsError when the
    library refuses (a damaged file, a certificate the C2PA profile rejects). The files are
    streamed, never loaded."""
    fmt = written_as(content_type, name or src)
    if fmt is None:
        raise NotWritable(not_writable_reason(content_type, name or src))
    try:
        ctx = _context(trust_anchors)
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(alg=c2pa.C2paSigningAlg.ES256, sign_cert=identity.chain,
                                                           private_key=identity.key, ta_url=None))
        with signer, c2pa.Builder(manifest, context=ctx) as builder:
            if parent is not None:
                path, title = parent
                hint = ((reader_format(parent_type) if parent_type else mime_type(title) or format_of(title))
                        or "application/octet-stream")
                with open(path, "rb") as fh:
                    builder.add_ingredient({"title": title, "relationship": "parentOf", "label": "parent"}, hint, fh)
            with open(src, "rb") as source, open(dst, "w+b") as target:
                builder.sign(signer, fmt, source, target)
    except c2pa.C2paError as exc:
        if os.path.exists(dst):
            os.unlink(dst)
        if type(exc).__name__.endswith("NotSupported"):
            raise NotWritable(f"C2PA cannot be written into this file: {_clean(exc)}") from None
        raise CredentialsError(_clean(exc)) from None
