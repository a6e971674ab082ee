"""File names sent in headers (`Ortak-Filename` of contract documents and commission minutes,
`X-Filename` of transcripts) in Turkish and Azerbaijani, and documents whose bytes are not the
declared Content-Type (trial finding F10)."""
from __future__ import annotations

import io
import zipfile

import pytest

from archive import db
from archive.assets.models import Asset
from tests.asset_factory import create_asset
from tests.coproduction_fixtures import coprod, sides  # noqa: F401  (fixtures)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
NAME = "sözleşme-İTV-şəkil.pdf"
UTF8 = "s%C3%B6zle%C5%9Fme-%C4%B0TV-%C5%9F%C9%99kil.pdf"
# How a WSGI server hands over raw UTF-8 header bytes: each byte as one latin-1 character.
RAW = NAME.encode("utf-8").decode("latin-1")
SPELLINGS = [pytest.param(UTF8, id="url-encoded"), pytest.param("UTF-8''" + UTF8, id="rfc8187"),
             pytest.param(RAW, id="raw-utf8"), pytest.param(NAME, id="decoded")]


@pytest.fixture
def manager(make_user):
    _id, token = make_user("rights_manager", "AZ", org="İTV")
    return {"Authorization": f"Bearer {token}"}


def new_contract(client, manager, reference="İTV-2026/17"):
    r = client.post("/api/v1/contracts", json={"reference": reference, "signed": "2026-11-01"}, headers=manager)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def add_document(client, manager, contract, data=PDF, ctype="application/pdf", name=None):
    headers = {**manager, "Content-Type": ctype}
    if name is not None:
        headers["Ortak-Filename"] = name
    return client.post(f"/api/v1/contracts/{contract}/documents", data=data, headers=headers)


@pytest.mark.parametrize("sent", SPELLINGS)
def test_a_contract_document_keeps_the_name_sent(client, manager, sent):
    contract = new_contract(client, manager)
    r = add_document(client, manager, contract, name=sent)
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()["documents"][0]
    assert doc["filename"] == NAME
    got = client.get(doc["url"], headers=manager)
    assert got.status_code == 200 and got.data == PDF
    assert f"filename*=UTF-8''{UTF8}" in got.headers["Content-Disposition"]


def test_without_a_name_the_reference_is_not_cut_at_its_slash(client, manager):
    contract = new_contract(client, manager)
    doc = add_document(client, manager, contract).get_json()["documents"][0]
    assert doc["filename"] == "contract-İTV-2026-17"
    got = client.get(doc["url"], headers=manager)
    assert 'filename="contract-ITV-2026-17"' in got.headers["Content-Disposition"]


@pytest.mark.parametrize("sent, reason", [
    ("s\xf6zle\xfeme.pdf", "not_utf8"),  # latin-1 bytes, not UTF-8
    ("s%F6zle%FEme.pdf", "not_utf8"),  # percent-escapes of latin-1 bytes
    ("UTF-8''%FF.pdf", "not_utf8"),
    ("gpj%E2%80%AE.exe", "forbidden_characters"),  # U+202E turns it into what reads "exe.jpg"
    ("a%00b.pdf", "forbidden_characters"),
    ("line%0Abreak.pdf", "forbidden_characters"),
    ("s\xc3\x85\xc2\x9fme.pdf", "forbidden_characters"),  # the mojibake of the trial: a C1 control
])
def test_a_name_that_cannot_be_read_is_400_and_nothing_is_stored(client, manager, sent, reason):
    contract = new_contract(client, manager)
    r = add_document(client, manager, contract, name=sent)
    assert r.status_code == 400, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "invalid_filename"
    assert error["details"]["header"] == "Ortak-Filename" and error["details"]["reason"] == reason
    assert client.get(f"/api/v1/contracts/{contract}", headers=manager).get_json()["documents"] == []


@pytest.fixture(scope="module")
def docx() -> bytes:
    """A minimal Office Open XML word-processing document, as Word lays out its zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def test_declared_types_that_hold_are_kept(client, manager, sample_image, docx):
    contract = new_contract(client, manager)
    docs = [(PDF, "application/pdf"), (sample_image.read_bytes(), "image/png"),
            ("Sözleşme metni: Şəki folkloru\n".encode(), "text/plain"),
            (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    for data, ctype in docs:
        r = add_document(client, manager, contract, data=data, ctype=ctype)
        assert r.status_code == 201, (ctype, r.get_json())


@pytest.mark.parametrize("what, ctype, detected", [
    ("video", "application/pdf", "video/mp4"), ("video", "text/plain", "video/mp4"),
    ("image", "application/pdf", "image/png"), ("image", "image/jpeg", "image/png"),
    ("text", "application/pdf", None), ("pdf", "image/png", "application/pdf"),
    ("docx", "application/vnd.oasis.opendocument.text",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document")])
def test_bytes_of_another_type_are_415(client, manager, sample_video, sample_image, docx, what, ctype, detected):
    data = {"video": sample_video.read_bytes(), "image": sample_image.read_bytes(), "text": b"just words\n",
            "pdf": PDF, "docx": docx}[what]
    contract = new_contract(client, manager)
    r = add_document(client, manager, contract, data=data, ctype=ctype)
    assert r.status_code == 415, r.get_json()
    error = r.get_json()["error"]
    assert error["code"] == "content_type_mismatch"
    assert error["details"] == {"declared": ctype, "detected": detected}
    assert client.get(f"/api/v1/contracts/{contract}", headers=manager).get_json()["documents"] == []


def meeting(coprod):
    r = coprod.post("/api/v1/commission/meetings", {"date": "2026-02-01", "city": "Bakı", "host_country": "AZ"})
    assert r.status_code == 201, r.get_json()
    return f"/api/v1/commission/meetings/{r.get_json()['id']}/minutes"


@pytest.mark.parametrize("sent", SPELLINGS)
def test_minutes_keep_the_name_sent(coprod, sent):  # noqa: F811
    url = meeting(coprod)
    r = coprod.client.put(url, data=PDF, headers={**coprod.tr.auth, "Content-Type": "application/pdf",
                                                   "Ortak-Filename": sent})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["minutes"]["filename"] == NAME
    assert f"filename*=UTF-8''{UTF8}" in coprod.get(url).headers["Content-Disposition"]


def test_minutes_with_an_unreadable_name_or_other_bytes_are_refused(coprod, sample_video):  # noqa: F811
    url = meeting(coprod)
    r = coprod.client.put(url, data=PDF, headers={**coprod.tr.auth, "Content-Type": "application/pdf",
                                                   "Ortak-Filename": "tutanak-\xc5.txt"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_filename"
    r = coprod.client.put(url, data=sample_video.read_bytes(),
                          headers={**coprod.tr.auth, "Content-Type": "application/pdf"})
    assert r.status_code == 415 and r.get_json()["error"]["code"] == "content_type_mismatch"
    assert coprod.get(url).status_code == 404  # nothing stored


SRT = "1\n00:00:01,000 --> 00:00:03,000\nAşıq sazını kökləyir\n".encode()


@pytest.mark.parametrize("sent, stored", [("a%C5%9F%C4%B1q.srt", "aşıq.srt"), ("UTF-8''a%C5%9F%C4%B1q.srt", "aşıq.srt"),
                                          ("aşıq.srt".encode().decode("latin-1"), "aşıq.srt"),
                                          ("dir%2Fsub%2Faşıq.srt", "aşıq.srt")])
def test_a_transcript_keeps_the_name_sent(app, client, make_user, sent, stored):
    user_id, token = make_user("producer", "AZ", org="AzTV")
    asset = create_asset(app, user_id, data=b"filename test", meta={"title": {"az": "Aşıq"}})
    with app.app_context():
        db.session().get(Asset, asset).technical = {"duration": 60.0, "frame_rate": "25/1"}
        db.session().commit()
    h = {"Authorization": f"Bearer {token}"}
    r = client.put(f"/api/v1/assets/{asset}/transcripts/az", data=SRT, content_type="application/x-subrip",
                   headers={**h, "X-Filename": sent})
    assert r.status_code == 201, r.get_json()
    got = client.get(f"/api/v1/assets/{asset}/transcripts/az", headers=h).get_json()
    assert got["filename"] == stored
    r = client.put(f"/api/v1/assets/{asset}/transcripts/az", data=SRT, content_type="application/x-subrip",
                   headers={**h, "X-Filename": "%FF.srt"})
    assert r.status_code == 400 and r.get_json()["error"]["details"] == {"header": "X-Filename", "reason": "not_utf8"}
    again = client.get(f"/api/v1/assets/{asset}/transcripts/az", headers=h).get_json()
    assert again["filename"] == stored and again["sha256"] == got["sha256"]  # the refused one changed nothing
