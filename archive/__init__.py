"""Ortak: the media-asset exchange and co-production archive.

`create_app(config=None)` is the one factory for web, CLI and workers.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from archive import models  # noqa: F401  (register every mapper)
    from archive.accounts.passwords import init_passwords
    from archive.config import ensure_secret_key, load_config
    from archive.db import Database, close_session
    from archive.errors import register_error_handlers
    from archive.logs import configure_logging
    from archive.queue import make_celery
    from archive.storage import make_storage
    from search import make_search

    app = Flask(__name__, instance_relative_config=False)
    settings = load_config(config)
    ensure_secret_key(settings)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = None  # uploads stream; limits are enforced per endpoint
    configure_logging(app)

    app.extensions["ortak.db"] = Database(app.config["DATABASE_URL"])
    app.extensions["ortak.storage"] = make_storage(app.config)
    app.extensions["ortak.search"] = make_search(app.config)
    app.extensions["ortak.celery"] = make_celery(app)
    app.teardown_appcontext(close_session)
    init_passwords(app)
    _trust_proxies(app)
    _no_sniffing(app)

    register_error_handlers(app)
    _register_blueprints(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host/-Port from exactly TRUSTED_PROXIES hops (0: none),
    so that the client's address (login throttling) and https (Secure cookies) are the real
    ones behind a reverse proxy, and a client cannot forge them when there is none."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config["TRUSTED_PROXIES"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


def _no_sniffing(app: Flask) -> None:
    @app.after_request
    def _nosniff(resp):
        # Every response, API and downloads included: a browser must not guess a type
        # (an uploaded "video" that is really HTML would otherwise run as a page).
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp


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
