"""Walks the OpenAPI document: every query parameter a GET route declares as an integer, an
enum, a date or a boolean answers garbage with 4xx in the error shape, never 200 or 500. What
the README promises ("Every enum query parameter is checked") holds for each route the
document lists, not only for the ones a test names."""
from __future__ import annotations

import inspect
import re

import pytest

from archive.api.spec import build_document
from tests.asset_factory import create_asset
from tests.coproduction_fixtures import coprod, sides  # noqa: F401  (fixtures)

GARBAGE = {"integer": "abc", "boolean": "maybe", "date": "2026-13-45", "date-time": "x", "enum": "no-such-choice"}


def _kind(schema: dict) -> str | None:
    schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    if "enum" in schema:
        return "enum"
    if schema.get("format") in ("date", "date-time"):
        return schema["format"]
    return schema.get("type") if schema.get("type") in ("integer", "boolean") else None


def declared(app) -> list[tuple[str, str, str]]:
    """(path, parameter, garbage) for every checked query parameter of every GET route."""
    doc = build_document(app.config)
    out = []
    for path, ops in doc["paths"].items():
        get = ops.get("get")
        if not path.startswith("/api/v1/") or get is None:
            continue
        for p in get.get("parameters", []):
            if p.get("in") == "query" and (kind := _kind(p.get("schema", {}))) is not None:
                out.append((path, p["name"], GARBAGE[kind]))
    return out


def test_every_declared_parameter_refuses_garbage(app, client, coprod, make_user):  # noqa: F811
    _, token = make_user("admin", "TR", org="Ortak", email="admin@ortak.test")
    auth = {"Authorization": f"Bearer {token}"}
    ids = {"id": create_asset(app, coprod.tr.user_id), "project_id": coprod.project_id,
           "basket_id": client.post("/api/v1/baskets", json={"name": "b"}, headers=coprod.tr.auth).get_json()["id"]}
    checked, unfilled = [], set()
    for path, name, bad in declared(app):
        holes = re.findall(r"{(\w+)}", path)
        if any(h not in ids for h in holes):
            unfilled.add(path)
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(ids[m[1]]), path)
        headers = coprod.tr.auth if path.startswith("/api/v1/baskets/") else auth
        resp = client.get(f"{url}?{name}={bad}", headers=headers)
        assert 400 <= resp.status_code < 500 and resp.status_code not in (401, 403, 404), (path, name, resp.status_code)
        assert resp.get_json()["error"]["code"] in ("invalid_parameter", "invalid_declaration"), (path, name)
        checked.append((path, name))
    assert len(checked) >= 30 and not unfilled, (len(checked), unfilled)


DECLARATION = {"platform", "territory", "from", "to", "purpose", "programme"}


def read_by(view) -> set[str]:
    """The query parameters a view function reads itself: `*_param("name")`,
    `request.args.get("name")`, `lang` (`lang_param()`) and the usage declaration's six."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    src = inspect.getsource(view)
    names = set(re.findall(r'_param\(\s*"(\w+)"', src)) | set(re.findall(r'request\.args\.get\("(\w+)"', src))
    if "lang_param()" in src:
        names.add("lang")
    if "declaration_from_query" in src or "read_declaration(" in src:
        names |= DECLARATION
    return names


def test_every_parameter_a_route_reads_is_in_the_document(app):
    """A query parameter a route reads but the OpenAPI document does not list is one a client
    cannot know of (GET /api/v1/baskets/{id} chose its titles' language by `lang` unlisted)."""
    doc = build_document(app.config)
    paths = {re.sub(r"{\w+}", "{}", k): v for k, v in doc["paths"].items()}
    refs = doc["components"]["parameters"]
    missing, seen = [], 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        ops = paths.get(re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule), {})
        wanted = read_by(app.view_functions[rule.endpoint])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            listed = {p["name"] for p in (refs[r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r
                                          for r in ops.get("parameters", []) + ops.get(method.lower(), {})
                                          .get("parameters", [])) if p.get("in") == "query"}
            seen += bool(wanted)
            missing += [(method, rule.rule, name) for name in sorted(wanted - listed)]
    assert seen >= 20 and not missing, (seen, missing)
