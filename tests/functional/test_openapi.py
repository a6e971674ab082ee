"""The OpenAPI document: built from the code, served as built, committed as built, and
naming every route the app serves (and nothing else).
"""
from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from archive.accounts.models import COUNTRIES, ROLES
from archive.api.limits import REQUEST_LINE_MAX, metadata_limit
from archive.api.spec import COMMITTED, build_document, default_document_text, main
from archive.assets.models import GENRES, KINDS, STATUSES
from archive.assets.schemas import LANGS, MAX_ITEM
from archive.config import DEFAULTS

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Where HEAD has a meaning of its own (documented): the tus offset, and a download's headers.
OWN_HEAD = {"/api/v1/uploads/{upload_id}", "/api/v1/assets/{id}/download"}


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops if method in METHODS}


def routed_operations(app) -> set[tuple[str, str]]:
    """Every (method, path) the app answers under /api/ and /healthz, in OpenAPI's path syntax.

    Flask's automatic OPTIONS (an empty 200 with Allow) is left out; the tus OPTIONS are real.
    """
    out = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "{%s}" % ("id" if m[1] == "asset_id" else m[1]), rule.rule)
        for method in rule.methods:
            if method == "OPTIONS" and rule.provide_automatic_options:
                continue
            if method == "HEAD" and "GET" in rule.methods and path not in OWN_HEAD:
                continue  # the automatic HEAD of a GET
            out.add((method, path))
    return out


def test_the_committed_document_is_the_generated_one():
    assert COMMITTED.read_text(encoding="utf-8") == default_document_text(), \
        "archive/api/openapi.json is stale: run python -m archive.api.spec"
    assert main(["--check"]) == 0


def test_the_served_document_is_built_from_the_running_configuration(app, client):
    resp = client.get("/api/v1/openapi.json")  # public: no token
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    assert doc == json.loads(json.dumps(build_document(app.config)))
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    size = doc["paths"]["/api/v1/uploads"]["post"]["parameters"][1]["schema"]["maximum"]
    assert size == app.config["MAX_UPLOAD_SIZE"] != DEFAULTS["MAX_UPLOAD_SIZE"]


def test_every_route_is_documented_and_every_documented_operation_is_routed(app):
    doc = build_document(app.config)
    assert documented_operations(doc) == routed_operations(app)


def test_descriptions_give_values_not_constant_names():
    text = json.dumps(build_document(DEFAULTS))
    assert not re.findall(r"\b(?:MAX|DEFAULT|MIN)_[A-Z_]+\b", text)
    assert "500 characters" in text and "20000" in text and str(REQUEST_LINE_MAX) in text


def test_enums_and_limits_come_from_the_code():
    doc = build_document(DEFAULTS)
    schemas = doc["components"]["schemas"]
    patch = schemas["MetadataPatch"]["properties"]
    assert patch["genre"]["enum"] == [*GENRES, "", None]
    assert schemas["Metadata"]["properties"]["genre"]["enum"] == [*GENRES, None]
    assert patch["country"]["enum"] == list(COUNTRIES) and schemas["Country"]["enum"] == list(COUNTRIES)
    assert schemas["Me"]["properties"]["role"]["enum"] == list(ROLES)
    assert schemas["AssetStatus"]["enum"] == list(STATUSES) and schemas["Kind"]["enum"] == list(KINDS)
    assert patch["title"]["properties"].keys() == set(LANGS)
    assert patch["title"]["properties"]["tr"]["maxLength"] == DEFAULTS["MAX_TITLE_LENGTH"]
    assert patch["description"]["properties"]["az"]["maxLength"] == DEFAULTS["MAX_TEXT_LENGTH"]
    assert patch["keywords"]["items"]["maxLength"] == MAX_ITEM
    for name in ("keywords", "people", "places", "languages", "recorded", "genre", "title", "description"):
        assert None in patch[name].get("enum", [None]) or "null" in patch[name]["type"], name  # null removes
    assert "null" not in json.dumps(patch["organisation"]) and None not in patch["country"]["enum"]
    search = {p.get("name"): p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["kind"]["schema"]["items"]["enum"] == list(KINDS)
    assert search["genre"]["schema"]["items"]["enum"] == list(GENRES)
    # The deepest page at the largest page size: any page the schema allows is served.
    assert search["page"]["schema"]["maximum"] == 10_000 // 100 + 1 and search["per_page"]["schema"]["maximum"] == 100
    listing = {p.get("name"): p for p in doc["paths"]["/api/v1/assets"]["get"]["parameters"]}
    assert listing["page"]["schema"]["maximum"] == 100_000


def test_documented_statuses_where_they_happen():
    doc = build_document(DEFAULTS)
    paths = doc["paths"]
    uploads = paths["/api/v1/uploads/{upload_id}"]
    for method in ("head", "delete", "patch", "post"):
        assert "412" in uploads[method]["responses"], method
    assert "415" in uploads["post"]["responses"] and "405" in uploads["post"]["responses"]
    assert "400" in paths["/api/v1/assets/{id}"]["get"]["responses"]  # unknown lang
    for path, ops in paths.items():
        for method, op in ops.items():
            if method in METHODS:
                assert {"414", "431"} <= set(op["responses"]), (method, path)
                assert ("401" in op["responses"]) == (op.get("security") != []), (method, path)
    download = paths["/api/v1/assets/{id}/download"]["get"]["responses"]
    assert {"200", "206", "304", "416"} <= set(download)
    assert set(download["200"]["content"]) >= {"video/*", "audio/*", "image/*", "application/octet-stream"}
    options = paths["/api/v1/uploads"]["options"]["responses"]["204"]["headers"]
    assert str(metadata_limit(DEFAULTS["MAX_HEADER_BYTES"])) in options["Ortak-Upload-Metadata-Max-Length"]["description"]


@pytest.mark.parametrize("query, status", [("kind=movie", 400), ("kind=video", 200)])
def test_enum_parameters_answer_as_documented(client, auth, query, status):
    assert client.get(f"/api/v1/search?{query}", headers=auth).status_code == status


def test_docs_api_md_has_a_section_for_every_operation_and_no_other():
    """docs/api.md documents the API in prose; its `### METHOD /path` headings are the operations."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### ([A-Z]+) (/\S*)$", text, re.MULTILINE))
    assert headings == documented_operations(build_document(DEFAULTS))
    for code in ("uri_too_long", "header_too_large", "too_many_headers", "malformed_json", "empty_title",
                 "date_out_of_range", "unknown_language_code", "method_not_allowed", "Ortak-Upload-Metadata-Max-Length"):
        assert code in text, code
