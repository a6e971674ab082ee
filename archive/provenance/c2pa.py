"""The provenance document's `content_credentials` section: the C2PA manifest the master
carries (absent, valid, trusted, invalid with the reason...) and what went out unsigned, as the
asset API shows it (`archive.provenance.credentials.credentials_json`; None before the
credentials step has read the original)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from archive.accounts.models import User
from archive.assets.models import Asset
from archive.provenance.credentials import credentials_json
from archive.provenance.sections import section


@section("content_credentials")
def content_credentials(session: Session, asset: Asset, viewer: User, lang: str | None) -> dict[str, Any] | None:
    return credentials_json(session, asset)
