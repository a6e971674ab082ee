"""Organisations, users, passwords and API tokens.

Ending access: a password change or reset, disabling a user and disabling an organisation
end every browser session of the users concerned; a password change or reset and disabling
a user also revoke every API token of that user. A disabled organisation's tokens are refused
while it stays disabled (`User.is_active` covers both flags).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from archive.accounts import sessions
from archive.accounts.models import COUNTRIES, ROLES, ApiToken, Organisation, User
from archive.accounts.names import name_key
from archive.accounts.passwords import hash_password, needs_rehash, verify_password
from archive.db import utcnow
from archive.errors import Conflict, NotFound, ValidationError
from archive.validation import disguise_error

TOKEN_PREFIX = "ortak_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # Argon2 takes any length; this bounds the work a request can ask for
MAX_NAME = 200
MAX_TOKEN_NAME = 100  # ApiToken.name is String(100): PostgreSQL refuses a longer one
# A token's last use is written at most this often: a write per request would cost every
# bearer call (each PATCH of an upload) a commit.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def _clean_org_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200 or "\x00" in name:
        raise ValidationError("An organisation needs a name of 1 to 200 characters.", code="invalid_name")
    _refuse_disguise("name", name)
    return name


def _refuse_same_name(session: Session, name: str, *, other_than: int | None = None) -> None:
    """409 `organisation_exists` (`details.existing`: its name as written) when another
    organisation has `name` but for case, white space or the Turkish i's
    (`archive.accounts.names.name_key`: "trt" for "TRT", "istanbul tv" for "İstanbul TV")."""
    key = name_key(name)
    query = select(Organisation).where((Organisation.name_key == key) | (Organisation.name == name))
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    existing = session.scalars(query.order_by(Organisation.id)).first()
    if existing is not None:
        raise Conflict(f"An organisation named {existing.name!r} exists already; names differing only in case "
                       "are the same name.", code="organisation_exists", details={"existing": existing.name})


def create_organisation(session: Session, name: str, country: str) -> Organisation:
    """A new organisation. 400 `invalid_name`, `invalid_country`; 409 `organisation_exists` when
    one has the same name but for case, white space or the Turkish i's (`_refuse_same_name`)."""
    name = _clean_org_name(name)
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise ValidationError(f"Country must be one of {', '.join(COUNTRIES)}.", code="invalid_country")
    _refuse_same_name(session, name)
    org = Organisation(name=name, country=country)
    session.add(org)
    session.flush()
    return org


def rename_organisation(session: Session, name: str, new_name: str) -> Organisation:
    """Rename the organisation named `name` (exactly) to `new_name`; its users, assets and rights
    follow (they hold its id), and so does the search: each of its assets, in every status, is
    indexed again (its document has the organisation's name: the `organisation` facet, filter
    and text), by its index task sent with the commit. A change of case alone is a rename (its
    own key is no clash). 404 `organisation_not_found`; 400 `invalid_name`; 409
    `organisation_exists` when another has the same name but for case, white space or the
    Turkish i's. Flushes."""
    from archive.assets.models import Asset  # accounts below assets in the layers: read only here
    from archive.index_now import index_now

    org = get_organisation(session, name)
    new_name = _clean_org_name(new_name)
    _refuse_same_name(session, new_name, other_than=org.id)
    if org.name == new_name:
        return org
    org.name = new_name
    session.flush()
    for asset_id in session.scalars(select(Asset.id).where(Asset.organisation_id == org.id).order_by(Asset.id)):
        index_now(session, asset_id)
    return org


def get_organisation(session: Session, name: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        raise NotFound(f"No organisation named {name!r}.", code="organisation_not_found")
    return org


MAX_WATERMARK = 120


def default_watermark(org: Organisation) -> str:
    """What previews carry when an organisation turns the watermark on without its own text."""
    return f"{org.name} · PREVIEW"


def set_preview_watermark(session: Session, name: str, text: str | None) -> tuple[Organisation, list[str]]:
    """Set (or, with None, remove) the text burned into the previews of the organisation's
    assets; (the organisation, ids of its ready assets sent to re-make their renditions).

    Only renditions whose profile changed are re-made (their spec hash takes the text in):
    proxy, poster, HLS ladder and storyboard; never the original, never the waveform.
    ValidationError for empty, control characters or more than MAX_WATERMARK characters;
    NotFound for an unknown organisation.
    """
    from archive.assets.models import Asset  # accounts below assets in the layers: read only here
    from archive.task_handles import RUN_STEP

    org = get_organisation(session, name)
    if text is not None:
        text = text.strip()
        if not text or len(text) > MAX_WATERMARK or any(not ch.isprintable() for ch in text):
            raise ValidationError(f"A watermark is 1 to {MAX_WATERMARK} printable characters.",
                                  code="invalid_watermark")
    if org.preview_watermark == text:
        return org, []
    org.preview_watermark = text
    session.flush()
    ids = list(session.scalars(select(Asset.id).where(Asset.organisation_id == org.id, Asset.status == "ready",
                                                      Asset.kind.in_(("video", "audio"))).order_by(Asset.id)))
    for asset_id in ids:
        RUN_STEP.send(session, asset_id, "renditions")
    return org, ids


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def user_counts(session: Session) -> dict[int, int]:
    """organisation id → number of users."""
    return dict(session.execute(select(User.organisation_id, func.count()).group_by(User.organisation_id)).all())


def set_organisation_active(session: Session, name: str, active: bool) -> Organisation:
    """Disable (or enable again) an organisation. Disabling ends its users' browser sessions;
    while disabled, its users cannot log in and their API tokens are refused. Its assets and
    the users' own flags stay as they are, so enabling it restores access."""
    org = get_organisation(session, name)
    org.active = active
    if not active:
        sessions.end_all(session, session.scalars(select(User.id).where(User.organisation_id == org.id)))
    session.flush()
    return org


def _check_password(password: str | None) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD} characters.", code="weak_password",
                              details={"min_length": MIN_PASSWORD})
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"A password has at most {MAX_PASSWORD} characters.", code="password_too_long",
                              details={"max_length": MAX_PASSWORD})
    if not password.strip():
        raise ValidationError("A password cannot be only spaces.", code="weak_password",
                              details={"min_length": MIN_PASSWORD})
    return password


def _check_name(name: str | None, limit: int = MAX_NAME) -> str | None:
    """`name` with its runs of white space made one space, or None when empty. ValidationError
    `invalid_name` when longer than `limit` characters or holding NUL, `forbidden_characters`
    when it holds characters that can disguise it (`_refuse_disguise`)."""
    name = " ".join((name or "").split())
    if len(name) > limit or "\x00" in name:
        raise ValidationError(f"A name has at most {limit} characters.", code="invalid_name")
    _refuse_disguise("name", name)
    return name or None


def _refuse_disguise(field: str, text: str) -> None:
    """422 `forbidden_characters` (details `field`, `characters`) for a name holding characters
    that can disguise it (archive.validation.disguise_error)."""
    problem = disguise_error(field, text, multiline=False)
    if problem is not None:
        raise ValidationError(problem.message, code=problem.code, details={"field": field, **problem.params})


def create_user(session: Session, email: str, password: str, organisation: str, role: str,
                name: str | None = None) -> User:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError("That is not an e-mail address.", code="invalid_email")
    if role not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    _check_password(password)
    name = _check_name(name)
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"A user {email} exists already.", code="user_exists")
    org = get_organisation(session, organisation)
    user = User(email=email, name=name, password_hash=hash_password(password), organisation_id=org.id, role=role)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session, organisation: str | None = None) -> list[User]:
    q = select(User).order_by(User.email)
    if organisation is not None:
        q = q.where(User.organisation_id == get_organisation(session, organisation).id)
    return list(session.scalars(q).unique())


def set_user_name(session: Session, user: User, name: str | None) -> User:
    user.name = _check_name(name)
    session.flush()
    return user


def end_access(session: Session, user: User) -> tuple[int, int]:
    """End every browser session and revoke every API token of `user`; (sessions, tokens)."""
    ended = sessions.end_all(session, [user.id])
    revoked = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                              .values(revoked=True).execution_options(synchronize_session="fetch")).rowcount
    return ended, revoked or 0


def set_password(session: Session, user: User, password: str) -> tuple[int, int]:
    """Set a new password, then end every session and token of the user; (sessions, tokens) ended."""
    user.password_hash = hash_password(_check_password(password))
    session.flush()
    return end_access(session, user)


def set_user_active(session: Session, user: User, active: bool) -> tuple[int, int]:
    """Disable (ending every session and token) or enable a user; (sessions, tokens) ended."""
    user.active = active
    session.flush()
    return end_access(session, user) if not active else (0, 0)


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user {email}.", code="user_not_found")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password is right and the account and its organisation are active;
    None otherwise."""
    password = password or ""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or len(password) > MAX_PASSWORD:
        hash_password("x")  # spend the same time whether or not the user exists
        return None
    if not verify_password(user.password_hash, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str | None = None) -> str:
    """A new API token for `user` (returned once; only its SHA-256 is kept), named `name` (at
    most MAX_TOKEN_NAME characters, checked as a user's name by `_check_name`). ValidationError
    `user_disabled`, `organisation_disabled`, `invalid_name`, `forbidden_characters`."""
    if not user.active:
        raise ValidationError(f"{user.email} is disabled; enable the user first (ortak user enable).",
                              code="user_disabled")
    if not user.organisation.active:
        raise ValidationError(f"{user.organisation.name}, the organisation of {user.email}, is disabled; enable it "
                              "first (ortak org enable).", code="organisation_disabled")
    name = _check_name(name, MAX_TOKEN_NAME)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), prefix=token[:12], name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live token belongs to, or None. Moves the token's `last_used_at` on
    (unflushed) when it is a minute old or more; the caller commits when the session is dirty."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked.is_(False)))
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_EVERY:
        row.last_used_at = now
    return row.user


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at, ApiToken.id)).unique())


def revoke_token(session: Session, ref: str) -> ApiToken:
    """Revoke one token named by its id (digits), its printed prefix (`ortak_xxxxxx`) or itself.

    NotFound when nothing matches; Conflict (`ambiguous_token`) when a prefix names several
    live tokens. Revoking a revoked token is allowed and changes nothing.
    """
    ref = (ref or "").strip()
    if ref.isascii() and ref.isdigit() and len(ref) < 19:
        rows = list(session.scalars(select(ApiToken).where(ApiToken.id == int(ref))).unique())
    elif ref.startswith(TOKEN_PREFIX) and len(ref) > 12:  # the whole token
        rows = list(session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(ref))).unique())
    elif ref.startswith(TOKEN_PREFIX):
        rows = list(session.scalars(select(ApiToken).where(ApiToken.prefix == ref)).unique())
        live = [r for r in rows if not r.revoked]
        rows = live or rows
    else:
        raise ValidationError(f"Name a token by its id or its prefix ({TOKEN_PREFIX}… as `token list` prints it).",
                              code="invalid_token_reference")
    if not rows:
        raise NotFound(f"No token {ref!r}.", code="token_not_found")
    if len(rows) > 1:
        raise Conflict(f"{len(rows)} tokens start with {ref!r}; revoke by id.", code="ambiguous_token",
                       details={"ids": [r.id for r in rows]})
    rows[0].revoked = True
    session.flush()
    return rows[0]
