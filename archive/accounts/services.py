"""Organisations, users, passwords and API tokens."""
from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import COUNTRIES, ROLES, ApiToken, Organisation, User
from archive.db import utcnow
from archive.errors import Conflict, NotFound, ValidationError

_hasher = PasswordHasher()
TOKEN_PREFIX = "ortak_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
MIN_PASSWORD = 8


def create_organisation(session: Session, name: str, country: str) -> Organisation:
    name = (name or "").strip()
    country = (country or "").strip().upper()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError("An organisation needs a name of 1 to 200 characters.", code="invalid_name")
    if country not in COUNTRIES:
        raise ValidationError(f"Country must be one of {', '.join(COUNTRIES)}.", code="invalid_country")
    if session.scalar(select(Organisation).where(Organisation.name == name)):
        raise Conflict(f"An organisation named {name!r} exists already.", code="organisation_exists")
    org = Organisation(name=name, country=country)
    session.add(org)
    session.flush()
    return org


def get_organisation(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        raise NotFound(f"No organisation named {name!r}.", code="organisation_not_found")
    return org


def create_user(session: Session, email: str, password: str, organisation: str, role: str) -> User:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError("That is not an e-mail address.", code="invalid_email")
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD} characters.", code="weak_password")
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user {email} exists already.", code="user_exists")
    org = get_organisation(session, organisation)
    user = User(email=email, password_hash=_hasher.hash(password), organisation_id=org.id, role=role)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user {email}.", code="user_not_found")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password is right and the account active; None otherwise."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        _hasher.hash(password or "x")  # spend the same time whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str | None = None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), prefix=token[:12], name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user
