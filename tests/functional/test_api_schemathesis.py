"""Schemathesis over the OpenAPI document, against the app served over real HTTP.

Every documented operation is exercised with the document's own examples, the coverage
phase (boundary values, every enum member, missing required parts, and undocumented
methods, which must answer 405 with Allow) and a bounded fuzzing phase, with positive and
negative data. Checks: no 5xx (`not_a_server_error`), documented status codes, content
types and headers, response bodies valid against their schemas, and 405 for unsupported
methods; and no error lists the same mistake (field and code) twice in `details.errors`. Any
failure fails the operation's test.

Real resources: generated path parameters are half the time swapped for the ids of assets
and uploads that exist (a ready video with renditions, an audio asset still processing, an
open and a finished upload), so the deeper branches (metadata edits, Range downloads, tus
appends and terminations) run too. No operation is skipped; tus bodies are sent as
`application/offset+octet-stream`.

One served app for the module (Werkzeug's threaded server, as `live_server`). The schema is
the document this app serves (asserted before the first request). Bounded: MAX_EXAMPLES per
phase and operation; `ORTAK_SCHEMATHESIS_EXAMPLES` sets it (a longer local run raises it).
Each operation's requests and statuses, and the requests of each phase, are printed at the end
(`-s` shows them).

On PostgreSQL (`make test` runs this module in both runs) the random fuzzing phase draws 5
examples per operation instead of 15; the examples and coverage phases do not depend on
MAX_EXAMPLES and run whole on both databases. The coverage phase is where the two databases
differ most (boundary values: limits and one past them, lengths at and past their bounds,
every enum member, wrong types, missing parts); it is ~80 % of the requests (5,261 at 5
examples; 6,681 requests in all at 15). The SQLite run keeps 15. Measured on SQLite: 15 -> 5
examples is 6,681 -> 5,781 requests and 69 -> 49 s of CPU.
"""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from archive import create_app
from archive.api.spec import build_document
from archive.config import DEFAULTS
from tests.asset_factory import create_asset
from tests.conftest import CHEAP_PASSWORD_HASHING, PG_URL, _empty_all
from tests.live_server import LiveServer

MAX_EXAMPLES = int(os.environ.get("ORTAK_SCHEMATHESIS_EXAMPLES", "5" if PG_URL else "15"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "unsupported_method")
# Methods no documented path lacks a reason to refuse; each must answer 405 with Allow.
UNEXPECTED_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "TRACE"]
# Argon2 at the tests' cheap cost, as in the rest of the suite (tests/conftest.py): at the
# production cost every fuzzed password change or password-protected share link spent ~0.35 s.
SETTINGS = {"SECRET_KEY": "test-secret", "TESTING": True, "LOG_FORMAT": "text", "LOG_LEVEL": "ERROR",
            "MAX_UPLOAD_SIZE": 1024 * 1024, **CHEAP_PASSWORD_HASHING}
DOCUMENT = build_document({**DEFAULTS, **SETTINGS})

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
# Commission minutes are files: bytes under their own types.
for _minutes_type in ("application/pdf", "application/vnd.oasis.opendocument.text",
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
    schemathesis.serializer.alias(_minutes_type, "application/octet-stream")
# Subtitle files (transcripts) and the clip a lookup is asked about: bytes under their own types.
for _file_type in ("application/x-subrip", "text/vtt", "video/*"):
    schemathesis.serializer.alias(_file_type, "application/octet-stream")
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "seed": 20261129,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
    "phases": {"examples": {"enabled": True},
               "coverage": {"enabled": True, "unexpected-methods": UNEXPECTED_METHODS},
               "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "request-timeout": 30,
}))

REAL_IDS: dict[str, list[str]] = {}
calls: Counter[str] = Counter()
phases: Counter[str] = Counter()
statuses: dict[str, Counter[int]] = {}


def aim_at_real_resources(case) -> None:
    """Half the cases (in every phase) are aimed at resources that exist.

    Done when the case runs: the examples and coverage phases make their cases while tests are
    collected, before the resources exist. The choice follows from the case's own content, so
    a failing case replays with the same target.
    """
    if not case.path_parameters:
        return
    key = hashlib.sha256(repr((case.operation.label, case.path_parameters, case.query, case.headers,
                               case.body)).encode()).digest()
    if key[0] % 2 == 0:
        for name, ids in REAL_IDS.items():
            if name in case.path_parameters:
                case.path_parameters[name] = ids[key[1] % len(ids)]


@schema.hook
def after_call(context, case, response):
    label = f"{case.operation.method.upper()} {case.operation.path}"
    calls[label] += 1
    phases[getattr(case.meta.phase.name, "value", case.meta.phase.name) if case.meta else "unknown"] += 1
    statuses.setdefault(label, Counter())[response.status_code] += 1
    # docs/api.md: every mistake in details.errors, each once (trial finding F11).
    if 400 <= response.status_code < 500:
        try:
            errors = response.json()["error"]["details"].get("errors") or []
        except Exception:  # noqa: BLE001 (not a JSON error body: nothing to check here)
            errors = []
        listed = [(e.get("field"), e.get("code")) for e in errors if isinstance(e, dict)]
        assert len(listed) == len(set(listed)), f"{label}: a mistake listed twice in details.errors: {listed}"


def _tus(token: str, **extra) -> dict:
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", **extra}


def _coproduction(server, token: str) -> dict[str, list[str]]:
    """A project between the two organisations, a contribution, a milestone and a meeting to aim at."""
    auth = {"Authorization": f"Bearer {token}"}
    post = lambda path, body: requests.post(server.url + path, json=body, headers=auth, timeout=10)  # noqa: E731
    project = post("/api/v1/projects", {
        "title": {"tr": "Ortak"}, "kind": "film", "reporting_currency": "EUR", "rule_set": "coe_2017_multilateral",
        "parties": [{"organisation": "Org TR", "role": "lead", "share": "60"},
                    {"organisation": "İctimai TV", "role": "co_producer", "share": "40"}],
        "milestones": [{"title": "Çekim", "due": "2027-01-01", "owner": "Org TR"}]})
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    entry = post(f"/api/v1/projects/{pid}/contributions", {"party": "Org TR", "kind": "cash", "amount": "10.00",
                                                           "currency": "EUR", "date": "2026-01-05"})
    meeting = post("/api/v1/commission/meetings", {"date": "2026-01-05", "city": "Bakı", "host_country": "AZ"})
    assert entry.status_code == meeting.status_code == 201, (entry.text, meeting.text)
    milestone = requests.get(f"{server.url}/api/v1/projects/{pid}", headers=auth, timeout=10).json()["milestones"][0]
    return {"project_id": [pid], "entry_id": [entry.json()["id"]], "meeting_id": [meeting.json()["id"]],
            "milestone_id": [str(milestone["id"])]}


@pytest.fixture(scope="module")
def fuzz_server(migrated_template, tmp_path_factory):
    """(server, admin token): one app for the module, with assets and uploads to aim at."""
    from archive import db
    from archive.accounts import services as accounts

    data_dir = tmp_path_factory.mktemp("fuzz")
    if PG_URL:
        url = migrated_template
    else:
        shutil.copyfile(migrated_template, data_dir / "ortak.db")
        url = f"sqlite:///{data_dir / 'ortak.db'}"
    app = create_app({**SETTINGS, "DATA_DIR": str(data_dir), "DATABASE_URL": url})
    with app.app_context():
        s = db.session()
        accounts.create_organisation(s, "Org TR", "TR")
        accounts.create_organisation(s, "İctimai TV", "AZ")
        admin = accounts.create_user(s, "fuzz-admin@example.org", "correct horse battery", "Org TR", "admin")
        uploader = accounts.create_user(s, "producer@example.az", "correct horse battery", "İctimai TV", "producer")
        token = accounts.create_token(s, admin)
        s.commit()
        uploader_id = uploader.id
    video = create_asset(app, uploader_id, b"video bytes " * 500, filename="Qız Qalası.mp4", meta={
        "title": {"az": "Qız qalası", "tr": "Kız Kulesi"}, "genre": "documentary", "recorded": "1975-06",
        "languages": ["az"], "keywords": ["Bakı"]},
        renditions={"proxy": {"data": b"p" * 4000, "content_type": "video/mp4", "ext": ".mp4"},
                    "poster": {"status": "running", "progress": 0.4}})
    audio = create_asset(app, uploader_id, b"audio bytes " * 300, filename="türkü.wav", content_type="audio/wav",
                         kind="audio", status="processing")
    server = LiveServer(app).start()
    served = requests.get(server.url + "/api/v1/openapi.json", timeout=10).json()
    assert served == DOCUMENT, "the fuzzed document is not the one the app serves"
    open_upload = requests.post(server.url + "/api/v1/uploads", timeout=10, headers=_tus(
        token, **{"Upload-Length": "64", "Upload-Metadata": "filename " + base64.b64encode(b"a.wav").decode()}))
    body = b"finished upload " * 4
    finished = requests.post(server.url + "/api/v1/uploads", data=body, timeout=10, headers=_tus(
        token, **{"Upload-Length": str(len(body)), "Content-Type": "application/offset+octet-stream"}))
    assert open_upload.status_code == finished.status_code == 201, (open_upload.text, finished.text)
    REAL_IDS.update({"id": [video, audio], "name": ["proxy", "poster"], "path": ["proxy.mp4"],
                     "upload_id": [r.headers["Location"].rsplit("/", 1)[1] for r in (open_upload, finished)]})
    REAL_IDS.update(_coproduction(server, token))
    started = time.monotonic()
    yield server, token
    print(f"\nSchemathesis: {len(calls)} operations, {sum(calls.values())} requests, "
          f"{time.monotonic() - started:.1f} s; by phase {dict(sorted(phases.items()))}")
    for label in sorted(calls):
        print(f"  {label}: {calls[label]} requests, statuses {dict(sorted(statuses[label].items()))}")
    server.stop()
    app.extensions["ortak.db"].dispose()
    if PG_URL:
        _empty_all(url)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_api_conforms_to_its_document(case, fuzz_server):
    server, token = fuzz_server
    aim_at_real_resources(case)
    case.call_and_validate(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
