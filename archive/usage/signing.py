"""The usage log's signing key: Ed25519 (RFC 8032), through `cryptography`.

The private key lives in one file (`AUDIT_KEY_FILE`, default `DATA_DIR/audit-signing-key.pem`,
PKCS#8 PEM), made on first use with permissions 0600, and refused when anyone but its owner may
read it (as ssh refuses a private key others can read). The public key is what an auditor keeps
elsewhere and verifies checkpoints with: `ortak audit key` prints it as `ed25519:<base64 of the
32 raw bytes>`, the form `parse_public_key` reads back.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from archive.config import ENV_PREFIX, ConfigError

PREFIX = "ed25519:"
KEY_FILE_NAME = "audit-signing-key.pem"


def key_path(config) -> Path:
    """Where the signing key lives: AUDIT_KEY_FILE, or DATA_DIR/audit-signing-key.pem."""
    configured = config["AUDIT_KEY_FILE"]
    return Path(configured) if configured else Path(config["DATA_DIR"]) / KEY_FILE_NAME


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The private key in `path`, made there first (0600, exclusively) when there is none.

    Raises ConfigError naming AUDIT_KEY_FILE when the file cannot be made or read, is not an
    Ed25519 private key, or may be read by its group or others.
    """
    setting = f"{ENV_PREFIX}AUDIT_KEY_FILE"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot create the signing key {path}: {exc.strerror}") from None
    else:
        key = Ed25519PrivateKey.generate()
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
            fh.flush()
            os.fsync(fh.fileno())
        return key
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read the signing key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{setting}: the signing key {path} may be read by others "
                          f"(mode {stat.S_IMODE(mode):o}); chmod 600 it")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{setting}: {path} is not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{setting}: {path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    """`ed25519:` and the base64 of the 32 raw bytes of the public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PREFIX + base64.b64encode(raw).decode("ascii")


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of the public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key written as `public_key_text` writes it; ValueError otherwise."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise ValueError(f"a public key starts with {PREFIX!r}")
    try:
        raw = base64.b64decode(text[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the public key is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """The base64 Ed25519 signature of `message`."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_holds(key: Ed25519PublicKey, message: bytes, signature: object) -> bool:
    """Whether `signature` (base64 text) is `key`'s signature of `message`; False for anything malformed."""
    if not isinstance(signature, str):
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
