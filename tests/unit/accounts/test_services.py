import pytest
from sqlalchemy import select

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


def test_hashing_cost_comes_from_the_configuration_and_old_hashes_are_upgraded(app_config, db_session):
    from archive import create_app
    from archive.accounts.models import User

    services.create_organisation(db_session, "TRT", "TR")
    user = services.create_user(db_session, "h@example.org", "uzun bir parola", "TRT", "producer")
    db_session.commit()
    assert "$m=8,t=1,p=1$" in user.password_hash  # the suite's cheap parameters
    stronger = create_app({**app_config, "PASSWORD_HASH_TIME_COST": 2, "PASSWORD_HASH_MEMORY_COST": 16})
    try:
        with stronger.app_context():
            from archive import db

            s = db.session()
            assert services.authenticate(s, "h@example.org", "uzun bir parola") is not None
            s.commit()
            assert "$m=16,t=2,p=1$" in s.scalar(select(User.password_hash))
            assert services.authenticate(s, "h@example.org", "uzun bir parola") is not None
    finally:
        stronger.extensions["ortak.db"].dispose()


def test_a_password_longer_than_the_limit_is_refused_without_hashing_it(db_session):
    services.create_organisation(db_session, "TRT", "TR")
    services.create_user(db_session, "l@example.org", "uzun bir parola", "TRT", "producer")
    assert services.authenticate(db_session, "l@example.org", "x" * (services.MAX_PASSWORD + 1)) is None


def test_token_last_use_moves_at_most_once_a_minute(db_session):
    from datetime import timedelta

    services.create_organisation(db_session, "TRT", "TR")
    user = services.create_user(db_session, "u@example.org", "uzun bir parola", "TRT", "producer")
    token = services.create_token(db_session, user)
    db_session.commit()
    services.user_for_token(db_session, token)
    row = db_session.query(ApiToken).one()
    first = row.last_used_at
    assert first is not None
    db_session.commit()
    services.user_for_token(db_session, token)
    assert row.last_used_at == first and not db_session.dirty
    row.last_used_at = first - timedelta(seconds=61)
    db_session.commit()
    services.user_for_token(db_session, token)
    assert row.last_used_at > first - timedelta(seconds=61)
