"""Contracts: the licensor organisation, its reference, the day it was signed, and its
documents (signed copies, annexes) kept as blobs in the configured BlobStorage.

Who: rights managers create and see the contracts of their own organisation (as licensor);
admins all of them. 403 `not_rights_manager` otherwise. Each change writes an Event
(`rights.contract_created`, `rights.contract_document_added`).
"""
from __future__ import annotations

import hashlib
import io
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.accounts.models import Organisation, User
from archive.backends import storage
from archive.content_types import refuse_other_content
from archive.validation import Checker, raise_errors
from archive.errors import ApiError, Conflict, Forbidden, NotFound
from archive.events import services as events
from archive.filenames import safe_filename
from archive.rights.models import Contract, ContractDocument
from archive.storage.interfaces import BlobNotFound, StorageError

CONTRACT_FIELDS = ("licensor", "reference", "signed")
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "text/plain",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/vnd.oasis.opendocument.text")


def _may_manage(user: User, licensor_id: int) -> bool:
    return user.role == "admin" or (user.role == "rights_manager" and user.organisation_id == licensor_id)


def create_contract(session: Session, data: Any, actor: User) -> Contract:
    """{"licensor": ORG NAME (default: the actor's), "reference": text, "signed": "YYYY-MM-DD"?}
    → the contract. 422 `invalid_contract` (details.errors), 403 `not_rights_manager`, 409
    `contract_exists` (the licensor has a contract with this reference)."""
    c = Checker()
    if c.object(data, "", CONTRACT_FIELDS, ("reference",)) is not None:
        reference = c.text(data.get("reference"), "reference", 200, required=True)
        signed = c.date(data.get("signed"), "signed")
        licensor_name = c.text(data.get("licensor"), "licensor", 200)
    else:
        reference = signed = licensor_name = None
    licensor = actor.organisation
    if licensor_name and not c.errors:
        licensor = session.scalar(select(Organisation).where(Organisation.name == licensor_name))
        if licensor is None:
            c.fail("licensor", "unknown_organisation", f"No organisation named {licensor_name[:100]!r}.")
    raise_errors("invalid_contract", c.errors)
    if not _may_manage(actor, licensor.id):
        raise Forbidden("Only a rights manager of the licensor or an administrator may record its contracts.",
                        code="not_rights_manager")
    if session.scalar(select(Contract).where(Contract.licensor_id == licensor.id, Contract.reference == reference)):
        raise Conflict(f"{licensor.name} has a contract {reference!r} already.", code="contract_exists")
    row = Contract(licensor_id=licensor.id, reference=reference, signed=signed, created_by=actor.id)
    row.licensor = licensor
    session.add(row)
    session.flush()
    events.record(session, actor_id=actor.id, action="rights.contract_created", subject_type="contract",
                  subject_id=row.id, after=contract_json(row))
    session.flush()
    return row


def list_contracts(session: Session, viewer: User, licensor_id: int | None = None) -> list[Contract]:
    """The contracts `viewer` may see (their organisation's; admins all), newest first;
    only those of the organisation `licensor_id` when given."""
    q = select(Contract).order_by(Contract.created_at.desc(), Contract.id)
    if viewer.role != "admin":
        q = q.where(Contract.licensor_id == viewer.organisation_id)
    if licensor_id is not None:
        q = q.where(Contract.licensor_id == licensor_id)
    return list(session.scalars(q).unique())


def get_contract(session: Session, contract_id: str, viewer: User) -> Contract:
    row = session.get(Contract, contract_id) if isinstance(contract_id, str) and len(contract_id) <= 64 else None
    if row is None or not (viewer.role == "admin" or viewer.organisation_id == row.licensor_id):
        raise NotFound(f"No contract {str(contract_id)[:64]!r}.", code="contract_not_found")
    return row


def contract_json(row: Contract) -> dict[str, Any]:
    return {"id": row.id, "licensor": row.licensor.name if row.licensor else None, "reference": row.reference,
            "signed": row.signed.isoformat() if row.signed else None,
            "documents": [{"id": d.id, "filename": d.filename, "content_type": d.content_type, "size": d.size,
                           "sha256": d.sha256, "url": f"/api/v1/contracts/{row.id}/documents/{d.id}"}
                          for d in row.documents]}


def default_document_name(contract: Contract) -> str:
    """A document's name when none was sent: `contract-<reference>`, its `/` and `\\` as `-`
    (a reference such as `İTV-2026/17` is one name, not a directory and a file)."""
    return safe_filename("contract-" + contract.reference.replace("/", "-").replace("\\", "-"))


def add_document(session: Session, contract: Contract, body: bytes, content_type: str | None,
                 filename: str | None, actor: User) -> ContractDocument:
    """Store one document of `contract` (`filename` as sent, decoded by the view; None:
    `default_document_name`). 403 `not_rights_manager`; 413 `document_too_large`;
    415 `unsupported_media_type` (a type not in DOCUMENT_TYPES) or `content_type_mismatch`
    (the bytes are another type: `archive.content_types.refuse_other_content`); 400 `empty_body`; 503 `storage_failed`."""
    if not _may_manage(actor, contract.licensor_id):
        raise Forbidden("Only a rights manager of the licensor or an administrator may add documents.",
                        code="not_rights_manager")
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ApiError(f"A document is at most {MAX_DOCUMENT_BYTES} bytes.", code="document_too_large", status=413,
                       details={"limit": MAX_DOCUMENT_BYTES})
    if content_type not in DOCUMENT_TYPES:
        raise ApiError(f"Send the document as one of {', '.join(DOCUMENT_TYPES)}.", code="unsupported_media_type",
                       status=415, details={"accepted": list(DOCUMENT_TYPES)})
    if not body:
        raise ApiError("The body is empty: send the document.", code="empty_body", status=400)
    refuse_other_content(body, content_type)
    digest = hashlib.sha256(body).hexdigest()
    key = f"contracts/{contract.id}/{digest}"
    try:
        storage().put_stream(key, io.BytesIO(body), length=len(body), content_type=content_type)
    except StorageError as exc:
        raise ApiError("The document could not be stored; try again.", code="storage_failed", status=503) from exc
    doc = ContractDocument(contract_id=contract.id, blob_key=key, size=len(body), sha256=digest,
                           content_type=content_type, uploaded_by=actor.id,
                           filename=safe_filename(filename) if filename else default_document_name(contract))
    contract.documents.append(doc)
    session.flush()
    events.record(session, actor_id=actor.id, action="rights.contract_document_added", subject_type="contract",
                  subject_id=contract.id, after={"filename": doc.filename, "size": doc.size, "sha256": digest})
    session.flush()
    return doc


def document_bytes(contract: Contract, document_id: int) -> tuple[ContractDocument, Iterator[bytes]]:
    """(the document, an iterator of its bytes); 404 `document_not_found` / `blob_missing`."""
    doc = next((d for d in contract.documents if d.id == document_id), None)
    if doc is None:
        raise NotFound(f"Contract {contract.id} has no document {document_id}.", code="document_not_found")
    try:
        storage().stat(doc.blob_key)
    except BlobNotFound as exc:
        raise NotFound("The document is missing from the store.", code="blob_missing") from exc
    return doc, storage().open_range(doc.blob_key)
