"""The backends the app was configured with: blob storage, search, the task queue (Celery)."""
from __future__ import annotations

from flask import current_app

from archive.storage.interfaces import BlobStorage
from search.interfaces import SearchBackend


def storage() -> BlobStorage:
    return current_app.extensions["ortak.storage"]


def search_backend() -> SearchBackend:
    return current_app.extensions["ortak.search"]


def celery():
    return current_app.extensions["ortak.celery"]
