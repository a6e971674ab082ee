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
    # Write staged upload bytes with O_DIRECT (falls back by itself where the filesystem refuses it).
    "UPLOAD_DIRECT_IO": True,
    "MAX_TITLE_LENGTH": 500,
    "MAX_TEXT_LENGTH": 20000,
    # Media processing.
    "FFMPEG_TIMEOUT": 6 * 3600,
    "PROBE_TIMEOUT": 120,
    # Work not finished after this many seconds is re-queued by the sweeper.
    "STUCK_AFTER": 3600,
    "SECRET_KEY": "",
    "SESSION_COOKIE_SAMESITE": "Lax",
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
    if int(config["MAX_UPLOAD_SIZE"]) <= 0:
        raise ConfigError(f"{ENV_PREFIX}MAX_UPLOAD_SIZE: must be positive")
    return config


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
