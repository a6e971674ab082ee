"""Password hashing: Argon2id with the parameters of the configuration, read once per app.

`PASSWORD_HASH_TIME_COST`, `PASSWORD_HASH_MEMORY_COST` (KiB) and `PASSWORD_HASH_PARALLELISM`
are Argon2's t, m and p (RFC 9106 §4). A stored hash made with other parameters still
verifies, and is re-hashed with the configured ones at the next successful login.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

EXTENSION = "ortak.password_hasher"


def init_passwords(app: Flask) -> None:
    cfg = app.config
    app.extensions[EXTENSION] = PasswordHasher(time_cost=int(cfg["PASSWORD_HASH_TIME_COST"]),
                                               memory_cost=int(cfg["PASSWORD_HASH_MEMORY_COST"]),
                                               parallelism=int(cfg["PASSWORD_HASH_PARALLELISM"]))


def _hasher() -> PasswordHasher:
    return current_app.extensions[EXTENSION]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True
