"""The account commands: org list/disable/enable, user list/disable/enable/password/name,
token list/revoke; each with its bad input."""
from __future__ import annotations

import pytest

from tests.unit.web.conftest import log_in

PASSWORD = "çok gizli parola"


@pytest.fixture
def ortak(ortak_cli):
    ortak_cli("org", "create", "TRT", "--country", "TR")
    ortak_cli("org", "create", "AzTV", "--country", "AZ")
    for email, org, role, name in (("ayse@trt.example", "TRT", "producer", "Ayşe Yılmaz"),
                                   ("can@trt.example", "TRT", "broadcaster", None),
                                   ("rauf@aztv.example", "AzTV", "producer", None)):
        args = ["user", "create", email, "--org", org, "--role", role, "--password-stdin"]
        r = ortak_cli(*args, *(["--name", name] if name else []), input=PASSWORD + "\n")
        assert r.exit_code == 0, r.output
    return ortak_cli


def _me(app, token):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_org_list(ortak):
    r = ortak("org", "list")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split() == ["id", "name", "country", "state", "users"]
    assert any(line.split()[1:] == ["AzTV", "AZ", "active", "1"] for line in lines)
    assert any(line.split()[1:] == ["TRT", "TR", "active", "2"] for line in lines)


def test_org_disable_locks_out_its_users_and_enable_restores(ortak, app):
    token = ortak("token", "create", "rauf@aztv.example").output.strip()
    other = ortak("token", "create", "ayse@trt.example").output.strip()
    browser = app.test_client()
    assert log_in(browser, "rauf@aztv.example", PASSWORD).status_code == 302
    r = ortak("org", "disable", "AzTV")
    assert r.exit_code == 0 and "disabled" in r.output
    assert "disabled" in ortak("org", "list").output
    assert _me(app, token) == 401 and _me(app, other) == 200
    assert browser.get("/").status_code == 302
    assert log_in(app.test_client(), "rauf@aztv.example", PASSWORD).status_code == 401
    assert ortak("token", "create", "rauf@aztv.example").exit_code == 2  # no new tokens either
    assert ortak("org", "enable", "AzTV").exit_code == 0
    assert _me(app, token) == 200
    assert log_in(app.test_client(), "rauf@aztv.example", PASSWORD).status_code == 302


def test_user_list(ortak):
    r = ortak("user", "list")
    assert r.exit_code == 0
    assert "ayse@trt.example" in r.output and "Ayşe Yılmaz" in r.output and "rauf@aztv.example" in r.output
    r = ortak("user", "list", "--org", "AzTV")
    assert "rauf@aztv.example" in r.output and "ayse@trt.example" not in r.output


def test_user_disable_and_enable(ortak, app):
    token = ortak("token", "create", "ayse@trt.example").output.strip()
    browser = app.test_client()
    assert log_in(browser, "ayse@trt.example", PASSWORD).status_code == 302
    r = ortak("user", "disable", "AYSE@trt.example")
    assert r.exit_code == 0 and "ended 1 sessions, revoked 1 tokens" in r.output
    assert _me(app, token) == 401 and browser.get("/").status_code == 302
    assert "disabled" in ortak("user", "list", "--org", "TRT").output
    assert log_in(app.test_client(), "ayse@trt.example", PASSWORD).status_code == 401
    assert ortak("user", "enable", "ayse@trt.example").exit_code == 0
    assert log_in(app.test_client(), "ayse@trt.example", PASSWORD).status_code == 302
    assert _me(app, token) == 401  # revoked tokens stay revoked


def test_user_password_reset(ortak, app):
    token = ortak("token", "create", "ayse@trt.example").output.strip()
    browser = app.test_client()
    assert log_in(browser, "ayse@trt.example", PASSWORD).status_code == 302
    r = ortak("user", "password", "ayse@trt.example", "--password-stdin", input="yepyeni bir parola\n")
    assert r.exit_code == 0 and "ended 1 sessions, revoked 1 tokens" in r.output
    assert browser.get("/").status_code == 302 and _me(app, token) == 401
    assert log_in(app.test_client(), "ayse@trt.example", PASSWORD).status_code == 401
    assert log_in(app.test_client(), "ayse@trt.example", "yepyeni bir parola").status_code == 302


def test_user_password_prompts_twice(ortak, app):
    r = ortak("user", "password", "ayse@trt.example", input="yepyeni bir parola\nyepyeni bir parola\n")
    assert r.exit_code == 0, r.output
    assert log_in(app.test_client(), "ayse@trt.example", "yepyeni bir parola").status_code == 302


def test_user_name(ortak):
    assert ortak("user", "name", "can@trt.example", "Can Demir").exit_code == 0
    assert "Can Demir" in ortak("user", "list").output
    r = ortak("user", "name", "can@trt.example", "")
    assert r.exit_code == 0 and "a user of TRT" in r.output


def test_token_list_and_revoke(ortak, app):
    first = ortak("token", "create", "ayse@trt.example", "--name", "laptop").output.strip()
    second = ortak("token", "create", "ayse@trt.example").output.strip()
    assert _me(app, first) == 200  # a last use to show
    r = ortak("token", "list", "ayse@trt.example")
    assert r.exit_code == 0 and first[:12] in r.output and second[:12] in r.output and "laptop" in r.output
    assert first not in r.output  # only prefixes are ever shown
    rows = {line.split()[1]: line.split() for line in r.output.splitlines()[1:]}
    assert rows[first[:12]][-1] == "live" and rows[first[:12]][-2] != "-"  # used: when, to the minute
    assert rows[second[:12]][-2:] == ["-", "live"] and rows[second[:12]][2] == "-"  # never used, no name
    r = ortak("token", "revoke", first[:12])
    assert r.exit_code == 0 and "revoked" in r.output
    assert _me(app, first) == 401 and _me(app, second) == 200
    second_id = rows[second[:12]][0]
    assert ortak("token", "revoke", second_id).exit_code == 0
    assert _me(app, second) == 401
    assert ortak("token", "list", "ayse@trt.example").output.count("revoked") == 2


def test_token_revoke_by_the_whole_token(ortak, app):
    token = ortak("token", "create", "rauf@aztv.example").output.strip()
    assert ortak("token", "revoke", token).exit_code == 0
    assert _me(app, token) == 401


def test_an_ambiguous_prefix_is_refused(ortak, app):
    from archive import db
    from archive.accounts.models import ApiToken

    a = ortak("token", "create", "ayse@trt.example").output.strip()
    b = ortak("token", "create", "rauf@aztv.example").output.strip()
    with app.app_context():  # 6 random characters collide about once in 2^36; make them collide
        db.session().query(ApiToken).update({ApiToken.prefix: "ortak_AAAAAA"})
        db.session().commit()
    r = ortak("token", "revoke", "ortak_AAAAAA")
    assert r.exit_code == 2 and "ambiguous_token" in r.output
    assert _me(app, a) == 200 and _me(app, b) == 200


@pytest.mark.parametrize("args, input, needle", [
    (("org", "disable", "Nowhere"), None, "organisation_not_found"),
    (("org", "enable", ""), None, "organisation_not_found"),
    (("user", "list", "--org", "Nowhere"), None, "organisation_not_found"),
    (("user", "disable", "ghost@example.org"), None, "user_not_found"),
    (("user", "enable", "not an address"), None, "user_not_found"),
    (("user", "password", "ghost@example.org", "--password-stdin"), "yepyeni bir parola\n", "user_not_found"),
    (("user", "password", "ayse@trt.example", "--password-stdin"), "kısa\n", "weak_password"),
    (("user", "password", "ayse@trt.example", "--password-stdin"), "", "empty_password"),
    (("user", "password", "ayse@trt.example", "--password-stdin"), "\n", "empty_password"),
    (("user", "password", "ayse@trt.example", "--password-stdin"), " " * 12 + "\n", "weak_password"),
    (("user", "password", "ayse@trt.example", "--password-stdin"), "x" * 2000 + "\n", "password_too_long"),
    (("user", "create", "new@trt.example", "--org", "TRT", "--role", "producer", "--password-stdin"), "",
     "empty_password"),
    (("user", "create", "new@trt.example", "--org", "TRT", "--role", "producer", "--name", "x" * 201,
      "--password-stdin"), PASSWORD + "\n", "invalid_name"),
    (("user", "name", "ghost@example.org", "Ghost"), None, "user_not_found"),
    (("user", "name", "can@trt.example", "y" * 201), None, "invalid_name"),
    (("token", "create", "ayse@trt.example", "--name", "z" * 101), None, "invalid_name"),
    (("token", "create", "ayse@trt.example", "--name", "dizüstü\u202e"), None, "forbidden_characters"),
    (("token", "list", "ghost@example.org"), None, "user_not_found"),
    (("token", "revoke", "999999"), None, "token_not_found"),
    (("token", "revoke", "ortak_nothin"), None, "token_not_found"),
    (("token", "revoke", "ortak_" + "z" * 43), None, "token_not_found"),
    (("token", "revoke", "'; DROP TABLE api_tokens; --"), None, "invalid_token_reference"),
    (("token", "revoke", "9" * 40), None, "invalid_token_reference"),
    (("token", "revoke", ""), None, "invalid_token_reference"),
])
def test_bad_input_is_refused_with_a_reason(ortak, args, input, needle):
    r = ortak(*args, input=input)
    assert r.exit_code == 2, r.output
    assert needle in r.output
    assert "Traceback" not in r.output


def test_a_token_for_a_user_of_a_disabled_organisation_names_the_organisation(ortak_cli):
    ortak_cli("org", "create", "AzTV", "--country", "AZ")
    ortak_cli("user", "create", "a1@aztv.example", "--org", "AzTV", "--role", "producer", "--password-stdin",
              input="correct horse battery\n")
    ortak_cli("org", "disable", "AzTV")
    result = ortak_cli("token", "create", "a1@aztv.example")
    assert result.exit_code == 2 and "AzTV" in result.output and "organisation_disabled" in result.output
    assert "user enable" not in result.output


def test_org_create_writes_country_codes_in_upper_case(ortak_cli):
    """ISO 3166 codes are upper case in the help and the errors; any case is accepted."""
    assert "[TR|AZ]" in ortak_cli("org", "create", "--help").output
    r = ortak_cli("org", "create", "X", "--country", "xx")
    assert r.exit_code == 2 and "'xx' is not one of 'TR', 'AZ'." in r.output, r.output
    r = ortak_cli("org", "create", "X")
    assert r.exit_code == 2 and "'tr'" not in r.output and "--country" in r.output, r.output
    r = ortak_cli("org", "create", "Kanal", "--country", "az")
    assert r.exit_code == 0 and "organisation Kanal (AZ)" in r.output, r.output


def test_organisation_names_differing_only_in_case_are_one_name(ortak, app):
    """"TRT" and "trt" were two organisations. A name is the same as another's but for case,
    white space or the Turkish and Azerbaijani i's (I ı İ i: a name typed on an English or a
    Turkish keyboard): refused on create and rename with 409 organisation_exists naming the
    existing one; other letters stay apart (Ş is not S). A change of case alone renames."""
    from archive import db
    from archive.accounts import services
    from archive.accounts.models import Organisation
    from archive.errors import Conflict

    for taken in ("trt", "Trt", " TRT ", "tRt"):
        r = ortak("org", "create", taken, "--country", "TR")
        assert r.exit_code == 2 and "organisation_exists" in r.output and "'TRT'" in r.output, (taken, r.output)
    assert ortak("org", "create", "İstanbul TV", "--country", "TR").exit_code == 0
    for same in ("istanbul tv", "ISTANBUL TV", "ıstanbul  TV", "I\u0307stanbul tv", "İSTANBUL TV"):
        r = ortak("org", "create", same, "--country", "TR")
        assert r.exit_code == 2 and "organisation_exists" in r.output and "İstanbul TV" in r.output, (same, r.output)
    assert ortak("org", "create", "Şeki TV", "--country", "AZ").exit_code == 0
    assert ortak("org", "create", "Seki TV", "--country", "AZ").exit_code == 0  # another letter, another name

    r = ortak("org", "rename", "AzTV", "trt")
    assert r.exit_code == 2 and "organisation_exists" in r.output and "'TRT'" in r.output, r.output
    r = ortak("org", "rename", "AzTV", "AZTV")  # its own name in another case
    assert r.exit_code == 0 and "renamed AZTV" in r.output, r.output
    assert ortak("org", "rename", "AZTV", "Azərbaycan TV").exit_code == 0
    r = ortak("org", "rename", "Nowhere", "Somewhere")
    assert r.exit_code == 2 and "organisation_not_found" in r.output
    with app.app_context():
        s = db.session()
        keys = dict(s.query(Organisation.name, Organisation.name_key).all())
        assert keys["İstanbul TV"] == "istanbul tv" and keys["Azərbaycan TV"] == "azərbaycan tv"
        # The service answers the error shape a client would get: 409 with the existing name.
        try:
            services.create_organisation(s, "aZərbaycan tv", "AZ")
        except Conflict as exc:
            assert (exc.status, exc.code, exc.details) == (409, "organisation_exists", {"existing": "Azərbaycan TV"})
        else:
            raise AssertionError("a name differing only in case was accepted")
        s.rollback()


def test_renaming_an_organisation_reindexes_its_assets(ortak, app, sent):
    """The search documents carry the organisation's name (the `organisation` facet and
    filter, a searchable text): after `org rename` the facet kept the old name, the new one
    filtered to nothing, until an `ortak reindex`. Each of its assets, in every status, is sent
    to be indexed again; another organisation's are not."""
    from archive import db
    from archive.accounts.models import User
    from tests.asset_factory import create_asset

    with app.app_context():
        rauf = db.session().query(User).filter_by(email="rauf@aztv.example").one().id
        ayse = db.session().query(User).filter_by(email="ayse@trt.example").one().id
    ready = create_asset(app, rauf, b"r" * 10, meta={"title": {"az": "Toy"}})
    arriving = create_asset(app, rauf, b"u" * 10, status="uploading", kind=None, meta={"title": {"az": "Gəlir"}})
    other = create_asset(app, ayse, b"t" * 10, meta={"title": {"tr": "Düğün"}})
    sent.clear()
    assert ortak("org", "rename", "AzTV", "İctimai TV").exit_code == 0
    indexed = {ids[0] for name, ids in sent if name == "workers.tasks.index_asset"}
    assert indexed == {ready, arriving}, sent
    assert other not in indexed
