"""Who may do what, checked route by route: every method of every route of the app, as every
actor of `tests/route_permissions.py`, against that table.

A route without a row fails `test_every_route_has_a_row` with the row to add. The requests
carry no useful body (an empty JSON object, or an empty form with the CSRF token): what is
checked is whether the caller gets past the access checks, not what the route then does.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.asset_factory import create_asset
from tests.route_permissions import ACTORS, FORBIDDEN, HIDDEN, LOGIN, OK, TABLE
from tests.unit.web.conftest import PASSWORD, csrf_from

# Reads first, removals last, so that what a route reads is still there when each actor asks.
METHOD_ORDER = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
# Bodies for the routes whose checks of the body would otherwise answer before their access checks.
BODIES = {("POST", "/api/v1/projects/<project_id>/footage"): {"asset_id": "{asset}"},
          ("PUT", "/api/v1/commission/meetings/<meeting_id>/minutes"): "text",
          # A zip of originals needs a declared use (403 `declaration_required` otherwise, for anyone).
          ("POST", "/api/v1/baskets/<basket_id>/zip"): {"declaration": {
              "platform": "linear_tv", "territory": "TR", "from": "2027-03-01", "to": "2027-03-31",
              "purpose": "broadcast", "programme": "Halk Müziği Saati"}}}


def body_for(method: str, rule: str, values: dict[str, str]):
    """The route's body of BODIES, its text values' placeholders filled from `values`."""
    body = BODIES.get((method, rule))
    if isinstance(body, dict):
        body = {k: v.format(**values) if isinstance(v, str) else v for k, v in body.items()}
    return body


def operations(app) -> set[tuple[str, str]]:
    """(method, rule) of every route: Flask's automatic HEAD of a GET and OPTIONS left out."""
    out = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods:
            if method == "OPTIONS" and rule.provide_automatic_options:
                continue
            if method == "HEAD" and "GET" in rule.methods and not _own_head(app, rule):
                continue
            out.add((method, rule.rule))
    return out


def _own_head(app, rule) -> bool:
    # tus answers HEAD itself (the offset); everywhere else HEAD is the GET without its body.
    return rule.endpoint.startswith("ingest.") and "GET" in rule.methods and "<upload_id>" in rule.rule


def missing_rows(app) -> str | None:
    """The message naming the routes without a row (None when every route has one)."""
    missing = sorted(operations(app) - set(TABLE))
    if not missing:
        return None
    return "routes without a row in tests/route_permissions.py TABLE; add, for each:\n" + "\n".join(
        f'    ("{method}", "{rule}"): members(...),  # or public(), with the outcome of each actor'
        for method, rule in missing)


def test_every_route_has_a_row(app):
    message = missing_rows(app)
    assert message is None, message
    stale = sorted(set(TABLE) - operations(app))
    assert not stale, f"rows of tests/route_permissions.py for routes that do not exist: {stale}"


def test_a_new_route_without_a_row_is_named_with_the_row_to_add(app):
    app.add_url_rule("/api/v1/rights-grid/<asset_id>", "rights_grid", lambda asset_id: "", methods=["GET", "POST"])
    message = missing_rows(app)
    assert message is not None
    assert '("GET", "/api/v1/rights-grid/<asset_id>"): members(...)' in message
    assert '("POST", "/api/v1/rights-grid/<asset_id>"): members(...)' in message


def test_every_row_names_every_actor():
    for key, row in TABLE.items():
        assert set(row) == set(ACTORS), key
        assert set(row.values()) <= {OK, LOGIN, FORBIDDEN, HIDDEN}, key


@pytest.fixture
def world(app, client, make_user):
    """TRT (TR) with a producer, a broadcaster and a rights manager; AzTV (AZ), TRT's partner in
    a project; İTV (AZ), the other country's organisation; an admin. An asset of TRT's producer
    with renditions, a marker of that producer on it, a rights block of TRT's rights manager on it
    citing TRT's contract (with a document), a project TRT–AzTV with a milestone and a
    contribution, a meeting, an upload. What a removal removes (an upload, a marker, a block)
    is made again for each actor (the third value returned)."""
    users = {
        "producer": make_user("producer", "TR", org="TRT", email="producer@trt.example"),
        "broadcaster": make_user("broadcaster", "TR", org="TRT", email="broadcaster@trt.example"),
        "rights_manager": make_user("rights_manager", "TR", org="TRT", email="rights@trt.example"),
        "admin": make_user("admin", "TR", org="Ortak", email="admin@ortak.example"),
        "other_country": make_user("rights_manager", "AZ", org="İTV", email="rights@itv.example"),
    }
    partner = make_user("producer", "AZ", org="AzTV", email="producer@aztv.example")
    asset = create_asset(app, users["producer"][0], renditions={
        "proxy": {"data": b"proxy" * 20, "content_type": "video/mp4", "ext": ".mp4"},
        "hls": {"files": {"master.m3u8": b"#EXTM3U\n", "v0/index.m3u8": b"#EXTM3U\n"}}})
    tr = {"Authorization": f"Bearer {users['producer'][1]}"}
    az = {"Authorization": f"Bearer {partner[1]}"}
    r = client.post("/api/v1/projects", headers=tr, json={
        "title": {"tr": "Ortak Belgesel", "az": "Birgə Sənədli Film"}, "kind": "documentary",
        "reporting_currency": "EUR",
        "parties": [{"organisation": "TRT", "role": "lead", "share": "50"},
                    {"organisation": "AzTV", "role": "co_producer", "share": "50"}],
        "milestones": [{"title": "Çekim", "due": "2027-03-01", "owner": "TRT"}]})
    assert r.status_code == 201, r.get_json()
    project = r.get_json()["id"]
    milestone = client.get(f"/api/v1/projects/{project}", headers=tr).get_json()["milestones"][0]["id"]
    r = client.post(f"/api/v1/projects/{project}/contributions", headers=az, json={
        "party": "AzTV", "kind": "cash", "amount": "100.00", "currency": "EUR", "date": "2026-11-01",
        "description": "Nağd"})
    assert r.status_code == 201, r.get_json()
    entry = r.get_json()["id"]
    r = client.post("/api/v1/commission/meetings", headers=tr, json={
        "date": "2026-10-01", "city": "Bakı", "host_country": "AZ", "attendees": ["A"], "decisions": ["B"],
        "projects": [project]})
    assert r.status_code == 201, r.get_json()
    meeting = r.get_json()["id"]
    r = client.post("/api/v1/uploads", headers={**tr, "Tus-Resumable": "1.0.0", "Upload-Length": "10",
                                                "Upload-Metadata": "filename ZmlsbS5tcDQ="})
    assert r.status_code == 201, r.get_data(as_text=True)
    upload = r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    r = client.put(f"/api/v1/commission/meetings/{meeting}/minutes", headers={**tr, "Content-Type": "text/plain"},
                   data="Tutanak".encode())
    assert r.status_code == 201, r.get_json()
    for who in ("rights_manager", "admin", "other_country"):  # each organisation's webhook, to read and remove
        r = client.put("/api/v1/notifications/webhook", headers={"Authorization": f"Bearer {users[who][1]}"},
                       json={"url": "https://hooks.example/ortak"})
        assert r.status_code == 200, r.get_json()
    manager = {"Authorization": f"Bearer {users['rights_manager'][1]}"}
    r = client.post("/api/v1/contracts", headers=manager, json={"reference": "TRT-2027/1", "signed": "2026-10-01"})
    assert r.status_code == 201, r.get_json()
    contract = r.get_json()["id"]
    r = client.post(f"/api/v1/contracts/{contract}/documents", data=b"%PDF-1.4 signed\n",
                    headers={**manager, "Content-Type": "application/pdf", "Ortak-Filename": "sozlesme.pdf"})
    assert r.status_code == 201, r.get_json()
    document = r.get_json()["documents"][0]["id"]  # the answer is the contract

    def new_upload() -> str:
        r = client.post("/api/v1/uploads", headers={**tr, "Tus-Resumable": "1.0.0", "Upload-Length": "10"})
        assert r.status_code == 201, r.get_data(as_text=True)
        return r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def new_marker() -> str:  # the producer's: its author may remove it, and admins
        r = client.post(f"/api/v1/assets/{asset}/markers", headers=tr, json={"in": "00:00:01:00", "text": "Giriş"})
        assert r.status_code == 201, r.get_json()
        return str(r.get_json()["id"])

    def new_transcript() -> str:  # the producer's asset's Turkish subtitles
        r = client.put(f"/api/v1/assets/{asset}/transcripts/tr", headers=tr,
                       data="1\n00:00:01,000 --> 00:00:02,000\nGiriş\n".encode(), content_type="application/x-subrip")
        assert r.status_code in (200, 201), r.get_json()
        return "tr"

    def new_block() -> str:  # a grant by TRT's rights manager on TRT's asset, citing its contract
        r = client.post(f"/api/v1/assets/{asset}/rights", headers=manager, json={
            "kind": "grant", "licensees": {"organisations": ["AzTV"], "countries": [], "all_members": False},
            "territories": ["AZ"], "platforms": ["linear_tv"], "start": "2027-01-01", "end": "2027-12-31",
            "conditions": {"credit": {"tr": "Kaynak: TRT", "az": "Mənbə: TRT"}}, "contract": contract})
        assert r.status_code == 201, r.get_json()
        return str(r.get_json()["id"])

    # A basket of the producer with the asset, shared read-only with TRT's broadcaster; a link
    # by the producer to that basket that shares originals too (so its zip, not built, is a 409).
    r = client.post("/api/v1/baskets", headers=tr, json={"name": "Seçki"})
    assert r.status_code == 201, r.get_json()
    basket = r.get_json()["id"]
    broadcaster_id = client.get("/api/v1/me", headers={"Authorization": f"Bearer {users['broadcaster'][1]}"}) \
        .get_json()["id"]

    def new_item() -> str:  # the asset, once more: its owner may remove it, and admins of TRT
        r = client.post(f"/api/v1/baskets/{basket}/items", headers=tr, json={"asset_id": asset})
        assert r.status_code == 201, r.get_json()
        return str(r.get_json()["id"])

    def new_member() -> str:  # TRT's broadcaster, who may read the basket but not change it
        r = client.post(f"/api/v1/baskets/{basket}/members", headers=tr,
                        json={"user": "broadcaster@trt.example", "access": "read"})
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["user_id"] == broadcaster_id
        return str(broadcaster_id)

    def new_link() -> tuple[str, str]:  # (id, token): the token is only in the answer's url
        r = client.post("/api/v1/shares", headers=tr, json={
            "basket_id": basket, "expires": (date.today() + timedelta(days=7)).isoformat(),
            "renditions": ["proxy", "original"]})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"], r.get_json()["url"].rsplit("/s/", 1)[1]

    item, member = new_item(), new_member()
    share, token = new_link()
    values = {"asset": asset, "asset_id": asset, "project_id": project, "milestone_id": str(milestone), "entry_id": entry,
              "meeting_id": meeting, "upload_id": upload, "code": "en", "action": "confirm",
              "marker_id": new_marker(), "block_id": new_block(), "contract_id": contract,
              "document_id": str(document), "basket_id": basket, "item_id": item, "user_id": member,
              "share_id": share, "token": token, "rendition": "proxy", "lang": new_transcript()}
    return users, values, {"upload_id": new_upload, "marker_id": new_marker, "block_id": new_block, "lang": new_transcript,
                           "item_id": new_item, "user_id": new_member, "share_id": lambda: new_link()[0]}


def url_for_rule(rule: str, values: dict[str, str]) -> str:
    special = {"/api/v1/assets/<asset_id>/renditions/<name>": {"name": "hls"},
               "/api/v1/assets/<asset_id>/renditions/<name>/<path:path>": {"name": "hls", "path": "master.m3u8"},
               "/s/<token>/assets/<asset_id>/renditions/<name>/<path:path>": {"name": "hls", "path": "master.m3u8"},
               "/static/web/<path:filename>": {"filename": "ortak.css"},
               "/static/coproduction/<path:filename>": {"filename": "coproduction.css"},
               "/static/<path:filename>": {"filename": "ortak.css"},
               "/baskets/static/baskets/<path:filename>": {"filename": "baskets.js"}}.get(rule, {})

    def fill(m: re.Match) -> str:
        name = m.group(1)
        value = special.get(name, values.get(name))
        assert value is not None, f"no value for <{name}> of {rule}: add one to the world fixture's values"
        return value

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", fill, rule)


def classify(resp, rule: str = "") -> str:
    to_login = resp.status_code in (301, 302, 303) and "/login" in resp.headers.get("Location", "")
    if resp.status_code == 401 or (to_login and rule != "/logout"):  # logging out ends at the login page
        return LOGIN
    if resp.status_code == 403:
        return FORBIDDEN
    if resp.status_code == 404:
        return HIDDEN
    return OK


class Actor:
    """One caller: a bearer token for the API, a logged-in browser session for the pages."""

    def __init__(self, app, name: str, email: str | None, token: str | None):
        self.name, self.email, self.token = name, email, token
        self.client = app.test_client()
        self.csrf = None
        self.log_in()

    def log_in(self) -> None:
        self.csrf = csrf_from(self.client.get("/login").get_data(as_text=True))
        if self.email is not None:
            r = self.client.post("/login", data={"email": self.email, "password": PASSWORD, "csrf_token": self.csrf})
            assert r.status_code == 302, (self.name, r.status_code)
            self.csrf = csrf_from(self.client.get("/my-uploads").get_data(as_text=True))

    def send(self, method: str, url: str, body=None):
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            if body == "text":
                kwargs = {"data": "Tutanak".encode(), "content_type": "text/plain"}
            elif body is not None:
                kwargs = {"json": body}
            if url.startswith("/api/v1/uploads"):
                headers["Tus-Resumable"] = "1.0.0"
            resp = self.client.open(url, method=method, headers=headers, **kwargs)
        else:
            data = {"csrf_token": self.csrf} if method not in ("GET", "HEAD") else None
            resp = self.client.open(url, method=method, data=data, headers={"X-CSRFToken": self.csrf or ""})
        resp.get_data()
        resp.close()
        if url == "/logout":
            self.log_in()
        return resp


def placeholders(rule: str) -> set[str]:
    """The names of a rule's placeholders (`<int:marker_id>` is `marker_id`)."""
    return set(re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule))


def removes(method: str, rule: str) -> bool:
    """A removal: DELETE, or a page's form that posts to `.../delete`."""
    return method == "DELETE" or (method == "POST" and rule.endswith("/delete"))


def test_every_route_as_every_actor(app, world):
    users, values, fresh = world
    actors = [Actor(app, "anonymous", None, None)] + [
        Actor(app, name, email, token) for name, (email, token) in (
            (n, ({"producer": "producer@trt.example", "broadcaster": "broadcaster@trt.example",
                  "rights_manager": "rights@trt.example", "admin": "admin@ortak.example",
                  "other_country": "rights@itv.example"}[n], users[n][1])) for n in ACTORS[1:])]
    wrong = []
    for method, rule in sorted(operations(app), key=lambda op: (METHOD_ORDER.index(op[0]), op[1])):
        expected = TABLE.get((method, rule))
        if expected is None:
            continue  # test_every_route_has_a_row names it
        url = url_for_rule(rule, values)
        body = body_for(method, rule, values)
        for actor in actors:
            remade = placeholders(rule) & set(fresh) if removes(method, rule) else set()
            if remade:
                # What a removal removes is made again for each actor, so each removes their own try.
                url = url_for_rule(rule, {**values, **{k: fresh[k]() for k in remade}})
            resp = actor.send(method, url, body)
            got = classify(resp, rule)
            if resp.status_code >= 500:  # a fault is no answer to who may do what
                wrong.append(f"{method} {rule} as {actor.name}: {resp.status_code}")
            elif got != expected[actor.name]:
                wrong.append(f"{method} {rule} as {actor.name}: expected {expected[actor.name]}, got {got} "
                             f"({resp.status_code})")
    assert not wrong, "routes that do not answer as tests/route_permissions.py says:\n" + "\n".join(wrong)


def test_no_route_faults_on_ids_that_are_not_there(app, world):
    """Every placeholder but the ones that name a file or a choice, in turn, as a number one past
    PostgreSQL's 32-bit id column and as an over-long text, sent by an admin (who passes every
    role check): an answer about the request (404 mostly), never a fault."""
    users, values, _fresh = world
    admin = Actor(app, "admin", "admin@ortak.example", users["admin"][1])
    skip = {"name", "path", "filename", "code", "action"}
    faults = []
    for method, rule in sorted(operations(app), key=lambda op: (METHOD_ORDER.index(op[0]), op[1])):
        if rule in ("/logout",):
            continue
        for name in sorted(placeholders(rule) - skip):
            for hostile in ("2147483648", "9" * 300):
                if f"<int:{name}>" in rule and not hostile.isdigit():
                    continue
                resp = admin.send(method, url_for_rule(rule, {**values, name: hostile}), body_for(method, rule, values))
                if resp.status_code >= 500:
                    faults.append(f"{method} {rule} with <{name}> = {hostile[:12]}...: {resp.status_code}")
    assert not faults, "\n".join(faults)
