"""Ortak: the media-asset exchange and co-production archive.

`create_app(config=None)` is the one factory for web, CLI and workers.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Mapping

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from archive import models  # noqa: F401  (register every mapper)
    from archive.access.policies import make_policy
    from archive.accounts.passwords import init_passwords
    from archive.config import ConfigError, ensure_secret_key, load_settings, unknown_variables
    from archive.db import Database, close_session, init_unit_of_work
    from archive.errors import register_error_handlers
    from archive.indexing import finish_request
    from archive.logs import configure_logging
    from archive.celery_factory import make_celery
    from archive.storage import make_storage
    from search import make_search
    from search.interfaces import SearchConfigError

    app = Flask(__name__, instance_relative_config=False)
    settings, passed_through = load_settings(config)
    settings = ensure_secret_key(settings)
    app.extensions["ortak.settings"] = settings  # read with archive.config.settings()
    app.config.update(asdict(settings))
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                      MAX_CONTENT_LENGTH=None)  # uploads stream; limits are enforced per endpoint
    app.config.update(passed_through)
    configure_logging(app)
    unknown = unknown_variables()
    if unknown:
        logging.getLogger("archive").warning("environment variables that name no Ortak setting (a typo?): %s",
                                             ", ".join(unknown))

    app.extensions["ortak.db"] = Database(app.config["DATABASE_URL"])
    app.extensions["ortak.storage"] = make_storage(app.config)
    try:
        app.extensions["ortak.access_policy"] = make_policy(app.config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        app.extensions["ortak.search"] = make_search(app.config)
    except SearchConfigError as exc:  # one error type for every misconfigured setting
        raise ConfigError(str(exc)) from exc
    app.extensions["ortak.celery"] = make_celery(app)
    app.teardown_appcontext(close_session)
    init_unit_of_work(app, finish=(finish_request,))
    init_passwords(app)
    _trust_proxies(app)
    _no_sniffing(app)

    register_error_handlers(app)
    _register_converters(app)
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


def _register_converters(app: Flask) -> None:
    from archive.api.converters import AnyPathConverter, ResourceIdConverter, TextIdConverter
    from archive.api.raw_path import KeepEncodedSlashes

    app.url_map.converters["int"] = ResourceIdConverter
    app.url_map.converters["path"] = AnyPathConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextIdConverter
    # `..%2f` in place of an id stays one segment, so it reaches the view as an id of nothing.
    app.wsgi_app = KeepEncodedSlashes(app.wsgi_app)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from archive.accounts.auth import init_auth
    from archive.accounts.views import bp as accounts
    from archive.api.views import bp as api
    from archive.assets.views import bp as assets
    from archive.clips.page_views import bp as clip_pages
    from archive.clips.views import bp as clips
    from archive.baskets.pages import bp as basket_pages
    from archive.baskets.views import bp as baskets
    from archive.shares.views import api as shares
    from archive.shares.views import pages as share_pages
    from archive.coproduction.views.api import bp as coproduction
    from archive.coproduction.views.pages import bp as coproduction_pages
    from archive.health.views import bp as health
    from archive.ingest.views import bp as ingest
    from archive.markers.views import bp as markers
    from archive.provenance.credentials_views import api as provenance_credentials
    from archive.provenance.credentials_views import pages as provenance_credential_pages
    from archive.transcripts.views import bp as transcripts
    from archive.notifications.views.api import bp as notifications
    from archive.notifications.views.pages import bp as notification_pages
    from archive.provenance.lookup_page_views import bp as provenance_lookup_pages
    from archive.provenance.lookup_views import bp as provenance_lookup
    from archive.provenance.pages import bp as provenance_pages
    from archive.provenance.views import bp as provenance
    from archive.rights.page_views import bp as rights_pages
    from archive.rights.views import bp as rights
    from archive.usage.views.api import bp as usage
    from archive.usage.views.pages import bp as audit_pages
    from archive.web.views import bp as web

    init_auth(app)
    for blueprint in (health, api, accounts, ingest, assets, rights, markers, transcripts, clips, coproduction, usage, notifications,
                      baskets, shares, web, coproduction_pages, rights_pages, clip_pages, audit_pages,
                      notification_pages, share_pages, basket_pages, provenance, provenance_pages,
                      provenance_credentials, provenance_credential_pages, provenance_lookup,
                      provenance_lookup_pages):
        app.register_blueprint(blueprint)
