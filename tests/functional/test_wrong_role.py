"""A `wrong_role` names what was refused and the roles that may do it (details `action`, `roles`,
`role`), in English for scripts and in the page's language on every page that shows it, never the
upload page's sentence for something else; and the codes pages meet have tr/az/en sentences."""
from __future__ import annotations

import re

import pytest

from archive.web import messages


@pytest.fixture
def people(make_user):
    return {"producer": make_user("producer", "AZ", org="İTV", email="p@itv.test"),
            "trt": make_user("broadcaster", "TR", org="TRT", email="b@trt.test")}


def login(client, email):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": token})
    assert resp.status_code == 302


def test_the_api_names_the_action_and_the_roles(client, people):
    h = {"Authorization": f"Bearer {people['trt'][1]}"}
    cases = [(client.post("/api/v1/uploads", headers={**h, "Tus-Resumable": "1.0.0", "Upload-Length": "10"}),
              "upload", ["producer", "admin"], "upload files"),
             (client.get("/api/v1/usage", headers=h), "usage_log", ["rights_manager", "admin"],
              "read the usage log"),
             (client.post("/api/v1/projects", json={}, headers=h), "coproduction", ["producer", "admin"],
              "co-production")]
    for resp, action, roles, words in cases:
        assert resp.status_code == 403, resp.get_json()
        err = resp.get_json()["error"]
        assert err["code"] == "wrong_role"
        assert err["details"] == {"action": action, "roles": roles, "role": "broadcaster"}
        assert words in err["message"] and "you are a broadcaster" in err["message"], err["message"]


@pytest.mark.parametrize("lang, upload, audit", [
    ("tr", "dosya yükleme", "kullanım kaydını ve hak denetimini okuma"),
    ("az", "fayl yükləmə", "istifadə jurnalını və hüquq auditini oxuma"),
    ("en", "uploading files", "reading the usage log and the rights audit"),
])
def test_pages_say_the_action_refused_in_their_language(app, people, lang, upload, audit):
    client = app.test_client()
    login(client, "b@trt.test")
    client.get(f"/lang/{lang}")
    up = client.get("/upload")
    assert up.status_code == 403 and upload in up.get_data(as_text=True)
    page = client.get("/audit")
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and audit in text
    assert upload not in text and "upload files" not in text  # not the upload page's sentence


def test_the_co_production_pages_say_it_too(app, people):
    client = app.test_client()
    login(client, "b@trt.test")
    client.get("/lang/tr")
    home = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', home).group(1)
    resp = client.post("/projects/new", data={"csrf_token": token})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 403, text[:500]
    assert "ortak yapım projelerini" in text and "yapımcı" in text


def test_the_scripts_get_the_same_sentence(app):
    with app.test_request_context(headers={"Accept-Language": "az"}):
        table = messages.script_catalogue()["wrong_role"]
        assert table["actions"]["upload"] == "fayl yükləmə" and table["roles"]["rights_manager"] == "hüquq meneceri"
        said = messages.api_error("wrong_role", "English", 403,
                                  {"action": "rights", "roles": ["rights_manager", "admin"], "role": "producer"})
        assert "hüquq bloklarını" in said and "hüquq meneceri, administrator" in said and "prodüser" in said
        assert messages.api_error("wrong_role", "English", 403, {}) == "Hesabınızın rolu bunu edə bilməz."


@pytest.mark.parametrize("code", ["basket_read_only", "basket_owner", "not_marker_author", "too_many_markers",
                                  "zip_in_progress", "admin_only", "too_many_attempts", "body_too_large",
                                  "contract_exists", "share_password_wrong", "share_gone", "wrong_password"])
def test_codes_the_pages_meet_are_said_in_tr_and_az(app, code):
    english = str(messages.API_ERRORS[code])
    for lang in ("tr", "az"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            said = messages.api_error(code, "the service's English", 400)
            assert said and said != english and said != "the service's English", (lang, code, said)
