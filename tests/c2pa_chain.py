"""An ES256 certificate chain made at test time (root CA → intermediate CA → signer), with the
extensions the C2PA certificate profile asks of a signer (C2PA 2.x §14.5.1: digitalSignature
key usage, an allowed extended key usage, authority and subject key identifiers)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class TestChain:
    chain: Path  # signer + intermediate, PEM
    key: Path  # the signer's private key, PEM PKCS#8
    root: Path  # the trust anchor, PEM


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def _cert(subject: x509.Name, issuer: x509.Name, public, issuer_key, *, ca: bool, days: int) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    usage = dict(digital_signature=not ca, content_commitment=False, key_encipherment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(**usage), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False))
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def make_chain(folder: Path, org: str = "Test Broadcaster", cn: str = "Ortak signer") -> TestChain:
    """Write `chain.pem`, `key.pem` and `root.pem` for a new chain under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    root_key, mid_key, key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root_name, mid_name = _name(f"{org} Root CA", org), _name(f"{org} Signing CA", org)
    root = _cert(root_name, root_name, root_key.public_key(), root_key, ca=True, days=3650)
    mid = _cert(mid_name, root_name, mid_key.public_key(), root_key, ca=True, days=3650)
    leaf = _cert(_name(cn, org), mid_name, key.public_key(), mid_key, ca=False, days=365)
    pem = serialization.Encoding.PEM
    paths = TestChain(folder / "chain.pem", folder / "key.pem", folder / "root.pem")
    paths.chain.write_bytes(leaf.public_bytes(pem) + mid.public_bytes(pem))
    paths.key.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    paths.key.chmod(0o600)  # as the README asks of a signing key (others may not read it)
    paths.root.write_bytes(root.public_bytes(pem))
    return paths
