"""Ortak: the media-asset exchange and co-production archive.

`create_app(config=None)` is the one factory for web, CLI and workers.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from archive import models  # noqa: F401  (register every mapper)
    from archive.config import ConfigError, ensure_secret_key, load_config
    from archive.db import Database, close_session
    from archive.errors import register_error_handlers
    from archive.logs import configure_logging
    from archive.queue import make_celery
    from archive.storage import make_storage
    from search import make_search
    from search.interfaces import SearchConfigError

    app = Flask(__name__, instance_relative_config=False)
    settings = load_config(config)
    ensure_secret_key(settings)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = None  # uploads stream; limits are enforced per endpoint
    configure_logging(app)

    app.extensions["ortak.db"] = Database(app.config["DATABASE_URL"])
    app.extensions["ortak.storage"] = make_storage(app.config)
    try:
        app.extensions["ortak.search"] = make_search(app.config)
    except SearchConfigError as exc:  # one error type for every misconfigured setting
        raise ConfigError(str(exc)) from exc
    app.extensions["ortak.celery"] = make_celery(app)
    app.teardown_appcontext(close_session)

    register_error_handlers(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    import importlib

    from archive.accounts.auth import init_auth

    init_auth(app)
    # Each domain area contributes a blueprint named `bp` in its views module.
    for module in ("archive.health", "archive.api.views", "archive.accounts.views", "archive.ingest.views",
                   "archive.assets.views", "archive.web.views"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        app.register_blueprint(mod.bp)
