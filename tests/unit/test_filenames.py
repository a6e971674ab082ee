"""File names for people and headers: one safe name, one ASCII fallback, one Content-Disposition."""
import pytest

from archive.filenames import ascii_filename, content_disposition, safe_filename


@pytest.mark.parametrize("name, ascii_name", [
    ("Qız Qalası.mp4", "Qiz Qalasi.mp4"),
    ("İSTANBUL ŞARKISI.mov", "ISTANBUL SARKISI.mov"),
    ("Gənclik — Ağdam.mp4", "Genclik - Agdam.mp4"),
    ("Бакы Гәнҹә.mp4", "Baki Qence.mp4"),  # the Azerbaijani Cyrillic table
    ("Москва.mov", "Moskva.mov"),
    ("日本語.mp4", "ri ben yu.mp4"),
    ("…", "download"),
    ("", "download"),
    ("ölçü; \"quoted\".mp4", "olcu_ _quoted.mp4"),
])
def test_ascii_fallback(name, ascii_name):
    assert ascii_filename(name) == ascii_name


def test_content_disposition_has_rfc5987_utf8_name():
    value = content_disposition("Qız Qalası.mp4")
    assert value == "attachment; filename=\"Qiz Qalasi.mp4\"; filename*=UTF-8''Q%C4%B1z%20Qalas%C4%B1.mp4"
    assert content_disposition("plain.mp4", inline=True) == 'inline; filename="plain.mp4"'
    assert "\r" not in content_disposition("evil\r\nSet-Cookie: x=1.mp4")
    assert "\n" not in content_disposition("evil\r\nSet-Cookie: x=1.mp4")


@pytest.mark.parametrize("raw, safe", [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("a\x00b.mp4", "ab.mp4"),
    ("", "download"), ("..", "download"), (".hidden", "hidden"), ("dir/", "download"),
])
def test_safe_filename(raw, safe):
    assert safe_filename(raw) == safe


def test_content_disposition_quotes_and_escapes_everything_hostile():
    value = content_disposition('Xəbər "İstanbul"; ağ.mp4')
    assert value.startswith('attachment; filename="Xeber _Istanbul_ ag.mp4"; ')
    assert value.endswith("filename*=UTF-8''X%C9%99b%C9%99r%20%22%C4%B0stanbul%22%3B%20a%C4%9F.mp4")
