"""Which signer the operator configured, and what health says of it."""
from __future__ import annotations

import dataclasses

import pytest

from archive.provenance import credentials
from tests.c2pa_chain import make_chain


@pytest.fixture
def chain(tmp_path):
    return make_chain(tmp_path / "chain")


def _with(app, **values):
    app.extensions["ortak.settings"] = dataclasses.replace(app.extensions["ortak.settings"], **values)


@pytest.mark.parametrize("cert, key, needle", [
    ("", "", "no C2PA signing certificate is configured"),
    ("chain", "", "ORTAK_C2PA_SIGN_KEY is not set"),
    ("", "key", "ORTAK_C2PA_SIGN_CERT is not set"),
    ("chain", "missing", "cannot read the private key"),
    ("key", "key", "not a PEM certificate chain"),
    ("chain", "chain", "not an unencrypted PEM private key"),
])
def test_a_missing_or_unusable_signer_is_a_named_warning(app, chain, tmp_path, cert, key, needle):
    paths = {"": "", "chain": str(chain.chain), "key": str(chain.key), "missing": str(tmp_path / "nope.pem")}
    _with(app, C2PA_SIGN_CERT=paths[cert], C2PA_SIGN_KEY=paths[key])
    with app.app_context():
        identity, why = credentials.signer_status()
        assert identity is None and needle in why
        health = credentials.health()
        assert health["ok"] is False and needle in health["warning"] and "unsigned" in health["warning"]
        assert credentials.signer_key() is None


def test_a_configured_signer_is_named_in_health(app, chain):
    _with(app, C2PA_SIGN_CERT=str(chain.chain), C2PA_SIGN_KEY=str(chain.key))
    with app.app_context():
        health = credentials.health()
        identity, why = credentials.signer_status()
        assert why is None and health == {"ok": True, "signer": identity.subject, "fingerprint": identity.fingerprint,
                                          "not_after": identity.not_after}
        assert len(credentials.signer_key()) == 64


def test_trust_anchors_that_cannot_be_read_are_none(app, tmp_path, chain):
    _with(app, C2PA_TRUST_ANCHORS=str(tmp_path / "absent.pem"))
    with app.app_context():
        assert credentials.trust_anchors() is None
    _with(app, C2PA_TRUST_ANCHORS=str(chain.root))
    with app.app_context():
        assert credentials.trust_anchors().startswith("-----BEGIN CERTIFICATE-----")
