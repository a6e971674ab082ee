import pytest

from archive.accounts import services
from archive.accounts.models import ApiToken
from archive.errors import Conflict, NotFound, ValidationError


def test_password_is_hashed_and_checked(db_session):
    services.create_organisation(db_session, "TRT", "TR")
    user = services.create_user(db_session, "Ayse@Example.org", "uzun bir parola", "TRT", "producer")
    assert user.email == "ayse@example.org"
    assert "uzun" not in user.password_hash and user.password_hash.startswith("$argon2")
    assert services.authenticate(db_session, "ayse@example.org", "uzun bir parola") is user
    assert services.authenticate(db_session, "ayse@example.org", "wrong password") is None
    assert services.authenticate(db_session, "nobody@example.org", "uzun bir parola") is None


def test_inactive_user_cannot_log_in(db_session):
    services.create_organisation(db_session, "AzTV", "AZ")
    user = services.create_user(db_session, "a@example.az", "uzun bir parola", "AzTV", "broadcaster")
    user.active = False
    assert services.authenticate(db_session, "a@example.az", "uzun bir parola") is None


def test_token_is_stored_hashed(db_session):
    services.create_organisation(db_session, "TRT", "TR")
    user = services.create_user(db_session, "t@example.org", "uzun bir parola", "TRT", "admin")
    token = services.create_token(db_session, user)
    row = db_session.query(ApiToken).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert services.user_for_token(db_session, token) is user
    assert services.user_for_token(db_session, token + "x") is None
    assert services.user_for_token(db_session, "") is None
    assert services.user_for_token(db_session, "x" * 10_000) is None
    row.revoked = True
    assert services.user_for_token(db_session, token) is None


@pytest.mark.parametrize("name, country, code", [
    ("", "TR", "invalid_name"), ("x" * 201, "TR", "invalid_name"), ("A\x00B", "TR", "invalid_name"),
    ("Ok", "US", "invalid_country"), ("Ok", "'; DROP TABLE organisations; --", "invalid_country"),
])
def test_bad_organisations(db_session, name, country, code):
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(db_session, name, country)
    assert exc.value.code == code


def test_duplicates_and_unknowns(db_session):
    services.create_organisation(db_session, "TRT", "TR")
    with pytest.raises(Conflict):
        services.create_organisation(db_session, "TRT", "AZ")
    with pytest.raises(NotFound):
        services.create_user(db_session, "x@example.org", "uzun bir parola", "Nowhere", "producer")
    services.create_user(db_session, "x@example.org", "uzun bir parola", "TRT", "producer")
    with pytest.raises(Conflict):
        services.create_user(db_session, "X@example.org", "uzun bir parola", "TRT", "producer")


@pytest.mark.parametrize("email, password, role, code", [
    ("not-an-email", "uzun bir parola", "producer", "invalid_email"),
    ("a@b.org", "short", "producer", "weak_password"),
    ("a@b.org", "uzun bir parola", "superuser", "invalid_role"),
])
def test_bad_users(db_session, email, password, role, code):
    services.create_organisation(db_session, "TRT", "TR")
    with pytest.raises(ValidationError) as exc:
        services.create_user(db_session, email, password, "TRT", role)
    assert exc.value.code == code
