"""Configuration: defaults → instance config file → environment (ORTAK_...) → overrides.

Nothing here runs at import time; `load_config` is called by `create_app`.
"""
from __future__ import annotations

import importlib.util

import os
import re
import secrets
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping, get_type_hints

from flask import current_app

ENV_PREFIX = "ORTAK_"

@dataclass(frozen=True)
class Settings:
    """Every setting Ortak reads, typed, with its default; each has a README row (a test checks).

    Read once at start-up by `load_settings` (defaults → the TOML file `ORTAK_CONFIG` → the
    environment `ORTAK_<NAME>` → overrides), validated, and kept on the app
    (`archive.config.settings()`); the Flask config gets the same values. Units are in the
    names or the comments: seconds, bytes, KiB.
    """

    # Where every byte the embedded defaults write goes.
    DATA_DIR: str = "./var"
    PORT: int = 8000
    HOST: str = "127.0.0.1"
    # sqlite:///<DATA_DIR>/ortak.db when empty; any SQLAlchemy URL otherwise.
    DATABASE_URL: str = ""
    # Blob storage: "local" (STORAGE_DIR, default DATA_DIR/blobs) or "s3" (MinIO or any S3).
    STORAGE: str = "local"
    STORAGE_DIR: str = ""
    S3_ENDPOINT: str = ""
    S3_ACCESS_KEY: str = ""
    S3_SECRET_KEY: str = ""
    S3_BUCKET: str = "ortak"
    S3_REGION: str = "us-east-1"
    S3_SECURE: bool = False
    # host:port or http(s)://host:port that browsers reach the store at; presigned download
    # URLs name it. Empty: the same as S3_ENDPOINT.
    S3_PUBLIC_ENDPOINT: str = ""
    # CA bundle for an https S3 endpoint; empty: SSL_CERT_FILE when set, else certifi's.
    S3_CA_FILE: str = ""
    PRESIGN_SECONDS: int = 300
    # Behind nginx with local storage: the internal location (e.g. "/_ortak_blobs/") that serves
    # STORAGE_DIR; the app then answers a read with X-Accel-Redirect and nginx sends the bytes.
    # Empty: the app streams them itself.
    ACCEL_REDIRECT_PREFIX: str = ""
    # Search: "tantivy" (SEARCH_DIR, default DATA_DIR/search) or "elasticsearch".
    SEARCH: str = "tantivy"
    SEARCH_DIR: str = ""
    ES_URL: str = ""
    ES_INDEX: str = "ortak-assets"
    # How long a web request that made or edited an asset waits for the search index to take its
    # document, written before the answer leaves (archive.index_now; milliseconds). Past it
    # (a worker or `ortak reindex` holds tantivy's writer) the index task writes it a moment later.
    SEARCH_WRITE_WAIT_MS: int = 500
    # Celery broker; empty means the embedded file broker under DATA_DIR/broker.
    BROKER_URL: str = ""
    # Attempts to reach the broker after the first when a worker or the scheduler starts (waiting
    # 1 s, then 1 s longer each time); then the start fails naming ORTAK_BROKER_URL.
    BROKER_CONNECT_RETRIES: int = 3
    # Uploads: staging (default DATA_DIR/uploads), size limit (bytes), lifetime of an unfinished
    # upload (seconds).
    UPLOAD_DIR: str = ""
    MAX_UPLOAD_SIZE: int = 64 * 1024**3
    UPLOAD_EXPIRE_SECONDS: int = 7 * 24 * 3600
    # Write staged upload bytes with O_DIRECT, past the page cache (archive.ingest.staged_writer);
    # it falls back by itself where the filesystem refuses. False for network filesystems.
    UPLOAD_DIRECT_IO: bool = True
    # Largest header field (name, value and line end) the app and `ortak serve` accept, bytes.
    MAX_HEADER_BYTES: int = 65536
    # Characters of a title and of a description, per language.
    MAX_TITLE_LENGTH: int = 500
    MAX_TEXT_LENGTH: int = 20000
    # Media processing (seconds).
    FFMPEG_TIMEOUT: int = 6 * 3600
    PROBE_TIMEOUT: int = 120
    # Reverse clip search (archive.provenance): the fingerprint index backend ("numpy", exact,
    # embedded; "faiss" with the faiss-cpu package), the largest clip a lookup accepts
    # (bytes), the shortest (seconds), how much of a clip is decoded whole before it is
    # sampled instead (seconds), the longest a lookup may decode (seconds), and the least
    # confidence (fraction of the query's frames matching along one line) a match needs
    # (benchmarks/provenance.py measured the negatives' scores below it).
    FINGERPRINT_INDEX: str = "numpy"
    LOOKUP_MAX_BYTES: int = 2 * 1024**3
    LOOKUP_MIN_SECONDS: int = 2
    LOOKUP_WHOLE_SECONDS: int = 120
    LOOKUP_TIMEOUT: int = 300
    LOOKUP_MIN_CONFIDENCE_PERCENT: int = 60
    # Align a lookup's 5 % crops that keep an edge through views of their own (`lookup.Settings.near_views`).
    LOOKUP_NEAR_VIEWS: bool = False
    # Compare the colours of the frames a lookup aligns, not their hashes alone (`lookup.Settings.colours`).
    LOOKUP_COLOURS: bool = True
    # Tell a stream copy (a cut or re-wrap of the master's own video packets: edit `remuxed`)
    # from a re-encode by hashing the packets of the clip, read whole up to this many seconds
    # (0: never), and of the master's original over the matched span, within this many
    # seconds for both (archive.provenance.remux).
    LOOKUP_REMUX_SECONDS: int = 120
    LOOKUP_REMUX_TIMEOUT: int = 30
    # A picture longer than this (seconds) is encoded in chunks of about this length (rounded up
    # to whole HLS segments) that any worker may take, then joined without re-encoding
    # (archive.media.chunks, archive.renditions.chunking); no encode lasts longer than a chunk.
    CHUNK_SECONDS: int = 300
    # Chunks the make's own task encodes at once while other workers take the rest.
    CHUNK_PARALLEL: int = 2
    # The platform's own organisation (the one `ortak create-admin` makes): its admins audit
    # every organisation's baskets, read-only (archive.baskets.services.access_of).
    PLATFORM_ORGANISATION: str = "Ortak"
    # The access gate: the policy deciding every read of an asset's bytes, and how long a
    # reader may pause (seconds) before the next request of the same read counts as a new use.
    ACCESS_POLICY: str = "rights"
    READ_WINDOW_SECONDS: int = 1800
    # A share link serves a read that continues a file (`Range: bytes=N-`, N > 0) uncounted for
    # this long after its last counted download started, so that download can finish or resume;
    # later such a read counts as a new download (refused once the link has given them all).
    SHARE_CONTINUATION_SECONDS: int = 86400
    # Who may look at previews (proxy, poster, storyboard...) under the rights policy:
    # "members" (every active member) or "licensees" (the contributing organisation, admins,
    # and organisations some grant of the asset names, open today).
    RIGHTS_PREVIEW: str = "members"
    # Work started but silent (no progress, no change) for this many seconds is re-queued by the sweeper.
    STUCK_AFTER: int = 3600
    # Re-queues of stuck work before the asset or rendition is marked failed.
    MAX_ATTEMPTS: int = 3
    # Work still waiting in the queue (never started) after this many seconds is sent again, in
    # case its message was lost; a duplicate is skipped by the claim, so this costs no attempt.
    RESEND_QUEUED_AFTER: int = 6 * 3600
    # Scratch files of a worker on another host that changed nothing for this long are removed.
    SCRATCH_MAX_AGE: int = 24 * 3600
    # Session signing; empty: generated once into DATA_DIR/secret_key.
    SECRET_KEY: str = ""
    # False: the session cookie is Secure whenever the request came over https (directly or
    # through a trusted proxy's X-Forwarded-Proto); True: always.
    SESSION_COOKIE_SECURE: bool = False
    # How many reverse proxies in front of the service set X-Forwarded-For/-Proto/-Host/-Port
    # (Werkzeug ProxyFix). 0 trusts none of those headers: a client could forge them.
    TRUSTED_PROXIES: int = 0
    # Failed logins (web form) and failed bearer tokens, counted per moving window of
    # LOGIN_FAILURE_WINDOW seconds; past a limit, every attempt is refused (429 + Retry-After)
    # until the window has moved on.
    LOGIN_FAILURES_PER_ACCOUNT: int = 5
    LOGIN_FAILURES_PER_ADDRESS: int = 20
    TOKEN_FAILURES_PER_ADDRESS: int = 20
    LOGIN_FAILURE_WINDOW: int = 900
    # Where the counters live: redis://... (shared by every process), or memory:// (one process).
    # Empty: the Redis broker when BROKER_URL is redis://, memory:// otherwise.
    RATELIMIT_STORAGE_URL: str = ""
    # Argon2id parameters (RFC 9106); stored hashes made with others are upgraded at the next login.
    PASSWORD_HASH_TIME_COST: int = 3
    PASSWORD_HASH_MEMORY_COST: int = 65536  # KiB
    PASSWORD_HASH_PARALLELISM: int = 4
    # Co-production: how many days before an entry's date its currency's latest exchange rate
    # may be (central banks publish none at weekends and on holidays).
    COPRODUCTION_RATE_MAX_AGE_DAYS: int = 7
    # The usage log's Ed25519 signing key (PKCS#8 PEM, made on first use with mode 0600);
    # empty: DATA_DIR/audit-signing-key.pem. How often (seconds) the scheduler signs a checkpoint.
    AUDIT_KEY_FILE: str = ""
    AUDIT_CHECKPOINT_SECONDS: int = 3600
    # How often (seconds) the scheduler runs the notification checks (archive.notifications),
    # and how long (seconds) one webhook delivery may take.
    NOTIFICATION_CHECK_SECONDS: int = 24 * 3600
    WEBHOOK_TIMEOUT_SECONDS: int = 10
    # How long (seconds) setting a webhook waits for its host name to resolve (a 422 past it).
    WEBHOOK_RESOLVE_SECONDS: int = 5
    # Whether a webhook may point at loopback, link-local, private (RFC 1918/4193), multicast or
    # unspecified addresses (an on-premises receiver); off, such URLs are refused when set and
    # the delivery re-checks what the host resolves to (archive.notifications.webhooks).
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: bool = False
    # The expiry notification: rights managers are told of grants ending within this many days.
    RIGHTS_EXPIRY_NOTICE_DAYS: int = 30
    # Fixity (archive.provenance.fixity): every stored original and rendition file is re-hashed
    # once per FIXITY_CYCLE_DAYS, in runs the scheduler starts every FIXITY_RUN_SECONDS, each
    # taking its share of the bytes; reads are throttled to FIXITY_BYTES_PER_SECOND (0: as fast
    # as storage answers).
    FIXITY_CYCLE_DAYS: int = 30
    FIXITY_RUN_SECONDS: int = 3600
    FIXITY_BYTES_PER_SECOND: int = 50 * 1024 * 1024
    # C2PA content credentials (archive.provenance.credentials): the organisation's signing
    # certificate chain (PEM: signer first, then intermediates) and its ES256 private key (PEM);
    # both empty or unreadable: exports go out unsigned and /healthz warns. The PEM trust
    # anchors a manifest must chain to for `trusted` (empty: valid manifests are only `valid`).
    C2PA_SIGN_CERT: str = ""
    C2PA_SIGN_KEY: str = ""
    C2PA_TRUST_ANCHORS: str = ""
    # Largest file whose C2PA hashes are checked or that is signed (bytes): the C2PA library
    # holds an MP4/MOV's media box in memory while it hashes it (measured: about the file's
    # size). Larger masters' manifests are shown `unverified`; larger exports go out unsigned.
    C2PA_MAX_BYTES: int = 1024**3
    # Largest file `POST /api/v1/provenance/verify` takes (bytes).
    C2PA_VERIFY_MAX_BYTES: int = 1024**3
    LOG_FORMAT: str = "json"
    LOG_LEVEL: str = "INFO"


SETTING_TYPES: dict[str, type] = get_type_hints(Settings)
DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Settings)}


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names the setting."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _coerce(name: str, raw: Any) -> Any:
    """`raw` (text from the environment, or a TOML or override value) as the setting's type;
    ConfigError naming the setting when it is not one."""
    kind = SETTING_TYPES[name]
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
    elif kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lstrip("-").isascii() and raw.strip().lstrip("-").isdigit():
            return int(raw.strip())
    elif isinstance(raw, str):
        return raw
    raise ConfigError(f"{ENV_PREFIX}{name}: cannot read {raw!r} as {kind.__name__}")


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> tuple[Settings, dict[str, Any]]:
    """The settings (see `Settings`), and the overrides that are not Ortak settings (Flask's
    own keys a test or an embedding passes through). Raises ConfigError naming the setting."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)

    instance = environ.get(ENV_PREFIX + "CONFIG")
    if instance:
        path = Path(instance)
        if not path.is_file():
            raise ConfigError(f"{ENV_PREFIX}CONFIG: no such file {instance}")
        try:
            with path.open("rb") as fh:
                values = {k.upper(): v for k, v in tomllib.load(fh).items()}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{ENV_PREFIX}CONFIG: cannot read {instance}: {exc}") from exc
        unknown = sorted(set(values) - set(DEFAULTS))
        if unknown:
            raise ConfigError(f"{ENV_PREFIX}CONFIG: unknown settings in {instance}: {', '.join(unknown)}")
        config.update({k: _coerce(k, v) for k, v in values.items()})

    for name in DEFAULTS:
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            config[name] = _coerce(name, raw)
    if not config["S3_CA_FILE"]:
        config["S3_CA_FILE"] = environ.get("SSL_CERT_FILE", "")  # OpenSSL's own variable

    extra: dict[str, Any] = {}
    for name, value in (overrides or {}).items():
        if name in DEFAULTS:
            config[name] = _coerce(name, value)
        else:
            extra[name] = value
    return Settings(**_derive(config)), extra


def load_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings as one dict (what Flask's config holds), the pass-through keys included."""
    settings, extra = load_settings(overrides, environ)
    return {**asdict(settings), **extra}


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """ORTAK_* variables of the environment that name no setting: a typo, most likely (the app
    logs them at start; the test suite's own ORTAK_TEST_* variables are not settings either)."""
    environ = os.environ if environ is None else environ
    known = {ENV_PREFIX + name for name in DEFAULTS} | {ENV_PREFIX + "CONFIG"}
    return sorted(k for k in environ if k.startswith(ENV_PREFIX) and k not in known
                  and not k.startswith(ENV_PREFIX + "TEST_"))


def settings() -> Settings:
    """The running app's settings."""
    return current_app.extensions["ortak.settings"]


# Whole-number settings and their ranges (inclusive); None: no upper bound.
_RANGES: dict[str, tuple[int, int | None]] = {
    "PORT": (1, 65535), "PRESIGN_SECONDS": (1, 7 * 24 * 3600), "READ_WINDOW_SECONDS": (1, None),
    "SHARE_CONTINUATION_SECONDS": (1, 366 * 24 * 3600),
    "SEARCH_WRITE_WAIT_MS": (1, 10_000),
    "FFMPEG_TIMEOUT": (1, None), "PROBE_TIMEOUT": (1, None), "CHUNK_SECONDS": (1, None),
    "CHUNK_PARALLEL": (1, 64), "UPLOAD_EXPIRE_SECONDS": (60, None),
    "MAX_TITLE_LENGTH": (1, None), "MAX_TEXT_LENGTH": (1, None),
    "AUDIT_CHECKPOINT_SECONDS": (60, 7 * 24 * 3600), "NOTIFICATION_CHECK_SECONDS": (60, 7 * 24 * 3600),
    "WEBHOOK_TIMEOUT_SECONDS": (1, 120), "WEBHOOK_RESOLVE_SECONDS": (1, 60),
    "RIGHTS_EXPIRY_NOTICE_DAYS": (1, 3650),
    "FIXITY_CYCLE_DAYS": (1, 3650), "FIXITY_RUN_SECONDS": (60, 7 * 24 * 3600), "FIXITY_BYTES_PER_SECOND": (0, None),
    "C2PA_VERIFY_MAX_BYTES": (1, None), "C2PA_MAX_BYTES": (1, None),
    "LOOKUP_MAX_BYTES": (1, None), "LOOKUP_MIN_SECONDS": (1, 3600), "LOOKUP_WHOLE_SECONDS": (10, None),
    "LOOKUP_TIMEOUT": (1, None), "LOOKUP_MIN_CONFIDENCE_PERCENT": (1, 100),
    "LOOKUP_REMUX_SECONDS": (0, None), "LOOKUP_REMUX_TIMEOUT": (1, None),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "LOG_FORMAT": ("json", "text"), "RIGHTS_PREVIEW": ("members", "licensees"),
    "FINGERPRINT_INDEX": ("numpy", "faiss"), "LOG_LEVEL": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
}


def _check_ranges(config: dict[str, Any]) -> None:
    for key, (lo, hi) in _RANGES.items():
        value = int(config[key])
        if value < lo or (hi is not None and value > hi):
            upper = f" to {hi}" if hi is not None else " or more"
            raise ConfigError(f"{ENV_PREFIX}{key}: must be {lo}{upper}, not {value}")
    config["LOG_LEVEL"] = str(config["LOG_LEVEL"]).upper()
    for key, choices in _CHOICES.items():
        if config[key] not in choices:
            raise ConfigError(f"{ENV_PREFIX}{key}: must be one of {', '.join(choices)}, not {config[key]!r}")


def _check_creatable(data: Path) -> None:
    """DATA_DIR is a directory, or can become one (its nearest existing ancestor is a writable
    directory); nothing is created here: reading the settings writes nothing."""
    probe = data
    while not probe.exists():
        probe = probe.parent
    if probe == data and not data.is_dir():
        raise ConfigError(f"{ENV_PREFIX}DATA_DIR: {data} is not a directory")
    if probe != data and not (probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)):
        raise ConfigError(f"{ENV_PREFIX}DATA_DIR: {data} cannot be created ({probe} is not a writable directory)")


def _derive(config: dict[str, Any]) -> dict[str, Any]:
    _check_ranges(config)
    data = Path(config["DATA_DIR"]).resolve()
    _check_creatable(data)
    config["DATA_DIR"] = str(data)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{data / 'ortak.db'}"
    for key, sub in (("STORAGE_DIR", "blobs"), ("SEARCH_DIR", "search"), ("UPLOAD_DIR", "uploads")):
        if not config[key]:
            config[key] = str(data / sub)
    if not config["BROKER_URL"]:
        config["BROKER_URL"] = "filesystem://"
    if config["STORAGE"] not in ("local", "s3"):
        raise ConfigError(f"{ENV_PREFIX}STORAGE: must be 'local' or 's3', not {config['STORAGE']!r}")
    if config["SEARCH"] not in ("tantivy", "elasticsearch"):
        raise ConfigError(f"{ENV_PREFIX}SEARCH: must be 'tantivy' or 'elasticsearch', not {config['SEARCH']!r}")
    if config["STORAGE"] == "s3":
        for key in ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET"):
            if not config[key]:
                raise ConfigError(f"{ENV_PREFIX}{key}: required when {ENV_PREFIX}STORAGE=s3")
    if config["FINGERPRINT_INDEX"] == "faiss" and importlib.util.find_spec("faiss") is None:
        raise ConfigError(f"{ENV_PREFIX}FINGERPRINT_INDEX=faiss needs the faiss-cpu package "
                          "(pip install 'ortak[faiss]'), or set it to numpy")
    if config["SEARCH"] == "elasticsearch" and not config["ES_URL"]:
        raise ConfigError(f"{ENV_PREFIX}ES_URL: required when {ENV_PREFIX}SEARCH=elasticsearch")
    for key in ("MAX_UPLOAD_SIZE", "MAX_HEADER_BYTES", "STUCK_AFTER", "RESEND_QUEUED_AFTER", "SCRATCH_MAX_AGE"):
        if int(config[key]) <= 0:
            raise ConfigError(f"{ENV_PREFIX}{key}: must be positive")
    prefix = config["ACCEL_REDIRECT_PREFIX"]
    if prefix and not _ACCEL_PREFIX.fullmatch(prefix):
        raise ConfigError(f"{ENV_PREFIX}ACCEL_REDIRECT_PREFIX: an nginx location path such as /_ortak_blobs/ "
                          f"(starts and ends with /, letters, digits, - _ . / only), not {prefix[:80]!r}")
    if int(config["COPRODUCTION_RATE_MAX_AGE_DAYS"]) < 0:
        raise ConfigError(f"{ENV_PREFIX}COPRODUCTION_RATE_MAX_AGE_DAYS: must be 0 or more")
    for key in ("MAX_ATTEMPTS", "BROKER_CONNECT_RETRIES"):
        if int(config[key]) < 0:
            raise ConfigError(f"{ENV_PREFIX}{key}: must be 0 or more")
    if int(config["MAX_HEADER_BYTES"]) < 4096:
        # Cookies, tokens and tus headers need room; gunicorn's own default is 8190.
        raise ConfigError(f"{ENV_PREFIX}MAX_HEADER_BYTES: must be at least 4096")
    _derive_security(config)
    return config


_ACCEL_PREFIX = re.compile(r"/(?:(?!\.\.?/)[A-Za-z0-9_.-]+/)+")
_RATELIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+sentinel", "redis+cluster")


def _derive_security(config: dict[str, Any]) -> None:
    if int(config["TRUSTED_PROXIES"]) < 0:
        raise ConfigError(f"{ENV_PREFIX}TRUSTED_PROXIES: the number of proxy hops, 0 or more")
    for key in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS", "TOKEN_FAILURES_PER_ADDRESS",
                "LOGIN_FAILURE_WINDOW", "PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_PARALLELISM"):
        if int(config[key]) < 1:
            raise ConfigError(f"{ENV_PREFIX}{key}: must be 1 or more")
    # Argon2 needs at least 8 KiB of memory per lane.
    if int(config["PASSWORD_HASH_MEMORY_COST"]) < 8 * int(config["PASSWORD_HASH_PARALLELISM"]):
        raise ConfigError(f"{ENV_PREFIX}PASSWORD_HASH_MEMORY_COST: at least 8 KiB per lane "
                          f"({ENV_PREFIX}PASSWORD_HASH_PARALLELISM)")
    url = config["RATELIMIT_STORAGE_URL"]
    if not url:
        broker = config["BROKER_URL"]
        url = broker if broker.split("://", 1)[0] in ("redis", "rediss") else "memory://"
    if url.split("://", 1)[0] not in _RATELIMIT_SCHEMES or "://" not in url:
        raise ConfigError(f"{ENV_PREFIX}RATELIMIT_STORAGE_URL: must be redis://... or memory://, not {url!r}")
    config["RATELIMIT_STORAGE_URL"] = url


def ensure_secret_key(config: Settings) -> Settings:
    """The settings with the configured key, or one generated once and kept in DATA_DIR."""
    if config.SECRET_KEY:
        return config
    path = Path(config.DATA_DIR) / "secret_key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        key = path.read_text().strip()
    except OSError as exc:
        raise ConfigError(f"{ENV_PREFIX}DATA_DIR: cannot keep the secret key in {config.DATA_DIR}: "
                          f"{exc.strerror} (or set {ENV_PREFIX}SECRET_KEY)") from None
    return replace(config, SECRET_KEY=key)
