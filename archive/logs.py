"""Structured (JSON) logs to stderr, one line an event."""
from __future__ import annotations

import logging
import sys

from flask import Flask

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter of every Ortak log line (the app's and gunicorn's): JSON or plain text."""
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(FIELDS)
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if getattr(root, "_ortak_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    root._ortak_configured = True  # type: ignore[attr-defined]
