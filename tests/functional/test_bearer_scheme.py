"""The `Authorization` scheme of an API token is matched without regard to case (RFC 9110
section 11.1, RFC 6750 section 2.1): trial 2026-12-01 found `bearer TOKEN` answered 401."""
import pytest


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_any_case_of_the_bearer_scheme_authenticates(client, make_user, scheme):
    _, token = make_user("producer", "TR")
    r = client.get("/api/v1/me", headers={"Authorization": f"{scheme} {token}"})
    assert r.status_code == 200, r.get_json()
    # An unsafe call with a token needs no CSRF token, whatever the case of the scheme.
    r = client.post("/api/v1/baskets", json={"name": "Şuşa"}, headers={"Authorization": f"{scheme} {token}"})
    assert r.status_code == 201, r.get_json()


@pytest.mark.parametrize("header", ["Basic YTpi", "Token {token}", "Bearer", "bearer ", "Bearerx {token}",
                                    "Bearer ortak_ä"])
def test_other_schemes_and_empty_tokens_are_refused(client, make_user, header):
    _, token = make_user("producer", "TR")
    r = client.get("/api/v1/me", headers={"Authorization": header.format(token=token)})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"
