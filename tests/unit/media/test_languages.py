"""Stream language tags (ISO 639-2 as files write them) normalised to RFC 5646 and ISO 639-2/T."""
import pytest

from archive.media.languages import iso639_2t, normalise_language


@pytest.mark.parametrize("tag, bcp47, terminology", [
    ("tur", "tr", "tur"), ("aze", "az", "aze"), ("AZE", "az", "aze"), (" tur ", "tr", "tur"),
    ("ger", "de", "deu"), ("deu", "de", "deu"), ("fre", "fr", "fra"), ("chi", "zh", "zho"),  # 639-2/B and /T
    ("tr", "tr", "tur"), ("az", "az", "aze"),  # 639-1 as some muxers write it
    ("ast", "ast", "ast"),  # no two-letter code: stays three letters
    ("afa", "afa", "afa"),  # a 639-2 collective code (639-5 family)
    ("qaa", "qaa", "qaa"),  # reserved for local use
    ("zxx", "zxx", "zxx"), ("mul", "mul", "mul"),
    ("en-us", "en-US", "eng"), ("az_Cyrl_AZ", "az-Cyrl-AZ", "aze"), ("es-419", "es-419", "spa"),
])
def test_known_tags(tag, bcp47, terminology):
    assert normalise_language(tag) == bcp47
    assert iso639_2t(tag) == terminology


@pytest.mark.parametrize("tag", ["und", "", "   ", None, 5, ["tur"], "xx", "xxx", "english", "t", "tu-rk-ish",
                                 "tur\x00", "<script>", "q" * 1000])
def test_undetermined_or_not_iso_639(tag):
    assert normalise_language(tag) is None and iso639_2t(tag) is None
