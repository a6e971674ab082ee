"""Search: config picks the backend by name; code uses the SearchBackend interface."""
from __future__ import annotations

from typing import Any, Callable, Mapping


# Each backend is imported when configured (the Elasticsearch one loads its client library), by a
# plain import statement that import-linter and a reader follow, never by a module name in a string.
def _tantivy() -> type:
    from search.tantivy_backend import TantivySearchBackend
    return TantivySearchBackend


def _elasticsearch() -> type:
    from search.elasticsearch_backend import ElasticsearchBackend
    return ElasticsearchBackend


BACKENDS: dict[str, Callable[[], type]] = {"tantivy": _tantivy, "elasticsearch": _elasticsearch}


def make_search(config: Mapping[str, Any]):
    """The backend `config["SEARCH"]` names (`tantivy` or `elasticsearch`; KeyError for another)."""
    return BACKENDS[config["SEARCH"]]().from_config(config)
