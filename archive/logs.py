"""Structured (JSON) logs to stderr, one line an event."""
from __future__ import annotations

import logging
import sys

from flask import Flask


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if getattr(root, "_ortak_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    root._ortak_configured = True  # type: ignore[attr-defined]
