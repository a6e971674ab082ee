"""Configuration: defaults → instance config file → environment (ORTAK_...) → overrides.

Nothing here runs at import time; `load_config` is called by `create_app`.
"""
from __future__ import annotations

import json
import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "ORTAK_"

DEFAULTS: dict[str, Any] = {
    # Where every byte the embedded defaults write goes.
    "DATA_DIR": "./var",
    "PORT": 8000,
    "HOST": "127.0.0.1",
    # sqlite:///<DATA_DIR>/ortak.db when empty; any SQLAlchemy URL otherwise.
    "DATABASE_URL": "",
    # Blob storage: "local" (DATA_DIR/blobs) or "s3" (MinIO or any S3).
    "STORAGE": "local",
    "STORAGE_DIR": "",
    "S3_ENDPOINT": "",
    "S3_ACCESS_KEY": "",
    "S3_SECRET_KEY": "",
    "S3_BUCKET": "ortak",
    "S3_REGION": "us-east-1",
    "S3_SECURE": False,
    # host:port or http(s)://host:port that browsers reach the store at; presigned download
    # URLs name it. Empty: the same as S3_ENDPOINT.
    "S3_PUBLIC_ENDPOINT": "",
    "PRESIGN_SECONDS": 300,
    # Search: "tantivy" (DATA_DIR/search) or "elasticsearch".
    "SEARCH": "tantivy",
    "SEARCH_DIR": "",
    "ES_URL": "",
    "ES_INDEX": "ortak-assets",
    # Celery broker; empty means the embedded file broker under DATA_DIR/broker.
    "BROKER_URL": "",
    # Uploads.
    "UPLOAD_DIR": "",
    "MAX_UPLOAD_SIZE": 64 * 1024**3,
    "UPLOAD_EXPIRE_SECONDS": 7 * 24 * 3600,
    # Largest header field (name, value and line end) the app and `ortak serve` accept.
    "MAX_HEADER_BYTES": 65536,
    "MAX_TITLE_LENGTH": 500,
    "MAX_TEXT_LENGTH": 20000,
    # Media processing.
    "FFMPEG_TIMEOUT": 6 * 3600,
    "PROBE_TIMEOUT": 120,
    # The access gate: the policy deciding every read of an asset's bytes, and how long a
    # reader may pause before the next request of the same read counts as a new use.
    "ACCESS_POLICY": "members",
    "READ_WINDOW_SECONDS": 1800,
    # Work started but silent (no progress, no change) for this many seconds is re-queued by the sweeper.
    "STUCK_AFTER": 3600,
    # Re-queues of stuck work before the asset or rendition is marked failed.
    "MAX_ATTEMPTS": 3,
    # Work still waiting in the queue (never started) after this many seconds is sent again, in
    # case its message was lost; a duplicate is skipped by the claim, so this costs no attempt.
    "RESEND_QUEUED_AFTER": 6 * 3600,
    # Scratch files of a worker on another host that changed nothing for this long are removed.
    "SCRATCH_MAX_AGE": 24 * 3600,
    "SECRET_KEY": "",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # False: the session cookie is Secure whenever the request came over https (directly or
    # through a trusted proxy's X-Forwarded-Proto); True: always.
    "SESSION_COOKIE_SECURE": False,
    # How many reverse proxies in front of the service set X-Forwarded-For/-Proto/-Host/-Port
    # (Werkzeug ProxyFix). 0 trusts none of those headers: a client could forge them.
    "TRUSTED_PROXIES": 0,
    # Failed logins (web form) and failed bearer tokens, counted per moving window of
    # LOGIN_FAILURE_WINDOW seconds; past a limit, every attempt is refused (429 + Retry-After)
    # until the window has moved on.
    "LOGIN_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_FAILURES_PER_ADDRESS": 20,
    "TOKEN_FAILURES_PER_ADDRESS": 20,
    "LOGIN_FAILURE_WINDOW": 900,
    # Where the counters live: redis://... (shared by every process), or memory:// (one process).
    # Empty: the Redis broker when BROKER_URL is redis://, memory:// otherwise.
    "RATELIMIT_STORAGE_URL": "",
    # Argon2id parameters (RFC 9106); stored hashes made with others are upgraded at the next login.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,  # KiB
    "PASSWORD_HASH_PARALLELISM": 4,
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "TESTING": False,
}


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names the setting."""


def _coerce(name: str, default: Any, raw: str) -> Any:
    try:
        if isinstance(default, bool):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, (list, dict)):
            return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{ENV_PREFIX}{name}: cannot read {raw!r} as {type(default).__name__}") from exc
    return raw


def load_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)

    instance = environ.get(ENV_PREFIX + "CONFIG")
    if instance:
        path = Path(instance)
        if not path.is_file():
            raise ConfigError(f"{ENV_PREFIX}CONFIG: no such file {instance}")
        with path.open("rb") as fh:
            config.update({k.upper(): v for k, v in tomllib.load(fh).items()})

    for name, default in DEFAULTS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is not None:
            config[name] = _coerce(name, default, raw)

    if overrides:
        config.update(overrides)

    return _derive(config)


def _derive(config: dict[str, Any]) -> dict[str, Any]:
    data = Path(config["DATA_DIR"]).resolve()
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
    if config["SEARCH"] == "elasticsearch" and not config["ES_URL"]:
        raise ConfigError(f"{ENV_PREFIX}ES_URL: required when {ENV_PREFIX}SEARCH=elasticsearch")
    for key in ("MAX_UPLOAD_SIZE", "MAX_HEADER_BYTES", "STUCK_AFTER", "RESEND_QUEUED_AFTER", "SCRATCH_MAX_AGE"):
        if int(config[key]) <= 0:
            raise ConfigError(f"{ENV_PREFIX}{key}: must be positive")
    if int(config["MAX_ATTEMPTS"]) < 0:
        raise ConfigError(f"{ENV_PREFIX}MAX_ATTEMPTS: must be 0 or more")
    if int(config["MAX_HEADER_BYTES"]) < 4096:
        # Cookies, tokens and tus headers need room; gunicorn's own default is 8190.
        raise ConfigError(f"{ENV_PREFIX}MAX_HEADER_BYTES: must be at least 4096")
    _derive_security(config)
    return config


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


def ensure_secret_key(config: dict[str, Any]) -> None:
    """Use the configured key, or one generated once and kept in DATA_DIR."""
    if config["SECRET_KEY"]:
        return
    path = Path(config["DATA_DIR"]) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    config["SECRET_KEY"] = path.read_text().strip()
