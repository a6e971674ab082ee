"""Search: config picks the backend by name; code uses the SearchBackend interface."""
from __future__ import annotations

import importlib
from typing import Any, Mapping

BACKENDS = {
    "tantivy": "search.tantivy_backend:TantivySearchBackend",
    "elasticsearch": "search.elasticsearch_backend:ElasticsearchBackend",
}


def make_search(config: Mapping[str, Any]):
    module, cls = BACKENDS[config["SEARCH"]].split(":")
    return getattr(importlib.import_module(module), cls).from_config(config)
