"""tus header parsing and file name sanitising, as data."""
import base64
import hashlib

import pytest

from archive.errors import ApiError
from archive.ingest import tus


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_metadata_round_trip():
    values = {"filename": "Bakı gecəsi.mp4", "title": "İstanbul, 1975", "flag": ""}
    assert tus.parse_metadata(tus.encode_metadata(values)) == values


def test_metadata_key_without_value_and_spaces():
    assert tus.parse_metadata(f" filename {b64('a.mp4')} , empty") == {"filename": "a.mp4", "empty": ""}
    assert tus.parse_metadata(None) == {} and tus.parse_metadata("") == {}


@pytest.mark.parametrize("header", [
    "filename !!notbase64",
    f"filename {b64('a')},filename {b64('b')}",
    f"file name {b64('a')}",
    "filename " + base64.b64encode(b"\xff\xfe").decode(),
])
def test_bad_metadata_is_400(header):
    with pytest.raises(ApiError) as err:
        tus.parse_metadata(header)
    assert err.value.status == 400 and err.value.code == "invalid_metadata_header"


def test_oversized_metadata_header():
    header = "title " + "A" * 100
    assert tus.parse_metadata(header, len(header)) == {"title": "\x00" * 75}
    with pytest.raises(ApiError) as err:
        tus.parse_metadata(header, len(header) - 1)
    assert err.value.status == 431 and err.value.code == "header_too_large"
    assert err.value.details == {"header": "Upload-Metadata", "limit": len(header) - 1, "length": len(header)}


@pytest.mark.parametrize("value, expected", [("0", 0), ("12345", 12345), (" 7 ", 7)])
def test_non_negative(value, expected):
    assert tus.parse_non_negative(value, "Upload-Length") == expected


@pytest.mark.parametrize("value", [None, "", "-1", "+1", "1.5", "1e9", "０", "1" * 41])
def test_non_negative_refuses(value):
    with pytest.raises(ApiError) as err:
        tus.parse_non_negative(value, "Upload-Length")
    assert err.value.status == 400 and err.value.details["header"] == "Upload-Length"


def test_checksum_header():
    digest = hashlib.sha256(b"x").digest()
    assert tus.parse_checksum(f"sha256 {base64.b64encode(digest).decode()}") == ("sha256", digest)
    assert tus.parse_checksum(None) is None


@pytest.mark.parametrize("header, code", [
    ("sha1 AAAA", "checksum_algorithm_unsupported"),
    ("sha256", "invalid_checksum_header"),
    ("sha256 ***", "invalid_checksum_header"),
    (f"sha256 {base64.b64encode(b'short').decode()}", "invalid_checksum_header"),
])
def test_bad_checksum_header(header, code):
    with pytest.raises(ApiError) as err:
        tus.parse_checksum(header)
    assert err.value.code == code and err.value.status == 400


def test_resumable_version():
    tus.check_resumable("1.0.0")
    for bad in (None, "0.2.2", "1.0"):
        with pytest.raises(ApiError) as err:
            tus.check_resumable(bad)
        assert err.value.status == 412 and err.value.headers == {"Tus-Version": "1.0.0"}


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd\x00.mp4", "passwd.mp4"),
    ("C:\\Users\\x\\kayıt.mov", "kayıt.mov"),
    ("..", "upload"),
    ("", "upload"),
    (None, "upload"),
    ("a\r\nb\x1b[31m.mp4", "ab[31m.mp4"),
    ("/abs/.hidden.wav", "hidden.wav"),
    ("e\u0301.mp4", "\u00e9.mp4"),
    ("a\u202egpj.exe", "agpj.exe"),
])
def test_sanitise_filename(raw, expected):
    assert tus.sanitise_filename(raw) == expected


def test_sanitise_filename_keeps_the_extension_when_shortening():
    name = tus.sanitise_filename("ş" * 400 + ".mp4")
    assert len(name) == tus.MAX_FILENAME and name.endswith(".mp4")


def test_options_headers():
    h = tus.options_headers(1000)
    assert h["Tus-Max-Size"] == "1000" and h["Tus-Checksum-Algorithm"] == "sha256"
    assert tus.METADATA_LIMIT_HEADER not in h
    assert tus.options_headers(1000, 65517)[tus.METADATA_LIMIT_HEADER] == "65517"
    assert h["Tus-Extension"].split(",") == ["creation", "creation-with-upload", "termination", "checksum"]


def test_a_number_too_long_for_any_file_is_still_a_number():
    assert tus.parse_non_negative("9" * 20, "Upload-Length") == int("9" * 20)
    with pytest.raises(tus.TusError):
        tus.parse_non_negative("9" * 41, "Upload-Length")


def test_a_refused_header_is_quoted_as_the_client_wrote_it():
    with pytest.raises(tus.TusError) as exc:
        tus.parse_non_negative("²".encode().decode("latin-1"), "Upload-Length")  # as WSGI hands it over
    assert "'²'" in exc.value.message
