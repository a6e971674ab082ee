"""Blob key validation shared by every backend.

A key must never name anything outside the store, whatever the backend does with it, so
the rules are strict and checked before any I/O.
"""
from __future__ import annotations

import re

from archive.storage.errors import InvalidKey

MAX_KEY_LENGTH = 512
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def validate_key(key: object) -> str:
    """Return `key` unchanged if it is a safe relative key; raise InvalidKey otherwise."""
    if not isinstance(key, str):
        raise InvalidKey(f"blob key must be a string, not {type(key).__name__}")
    if not key:
        raise InvalidKey("blob key is empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"blob key is longer than {MAX_KEY_LENGTH} characters")
    if "\x00" in key:
        raise InvalidKey("blob key contains a NUL byte")
    if "\\" in key:
        raise InvalidKey("blob key contains a backslash")
    if key.startswith("/"):
        raise InvalidKey("blob key is absolute")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKey("blob key has an empty segment")
        if segment in (".", ".."):
            raise InvalidKey("blob key has a '.' or '..' segment")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey("blob key segments may only use A-Z a-z 0-9 . _ -")
    return key
