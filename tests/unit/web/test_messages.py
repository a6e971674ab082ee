"""The one table of service codes → messages: complete for every code the services raise,
translated in tr and az, filled with parameters, English kept for what it does not know."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from flask_babel import force_locale, lazy_gettext

from archive.api.params import PARAMETER_SENTENCES
from archive.api.search_params import SEARCH_FACETS
from archive.ingest.pipeline import FAILURE_CODES
from archive.web import messages

ROOT = Path(__file__).resolve().parents[3]
# The field error codes of the agreed invalid-metadata shape (details.errors[].code).
AGREED_FIELD_CODES = {"not_text", "too_long", "not_an_object", "unknown_language", "not_a_list",
                      "invalid_choice", "invalid_date", "date_out_of_range", "unknown_language_code",
                      "empty_title", "unknown_field"}
EXAMPLE_PARAMS = {"too_long": {"limit": 500, "length": 612}, "unknown_language": {"language": "ru"},
                  "not_a_list": {"max_items": 200}, "invalid_choice": {"choices": ["film", "folklore"]},
                  "date_out_of_range": {"min": "1850", "max": "2026-11-29"},
                  "unknown_language_code": {"values": ["xx", "yy"]}, "unknown_field": {"fields": ["colour"]}}


def rejection_codes() -> set[str]:
    """Every literal code of a `Rejected(...)` raised anywhere in archive/media."""
    codes = set()
    for path in (ROOT / "archive" / "media").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Rejected" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                codes.add(node.args[0].value)
    return codes


def test_every_rejection_and_failure_code_has_a_message():
    found = rejection_codes()
    assert {"empty", "not_media", "truncated", "corrupt", "unreadable", "no_streams", "unsupported_image"} <= found
    missing = (found | set(FAILURE_CODES) | {"attempts_exhausted"}) - set(messages.ASSET_ERRORS)
    assert not missing, f"codes without a message: {sorted(missing)}"
    assert AGREED_FIELD_CODES <= set(messages.FIELD_ERRORS)


@pytest.mark.parametrize("lang", ["tr", "az"])
def test_every_message_is_translated(app, lang):
    tables = (messages.ASSET_ERRORS, messages.FIELD_ERRORS, messages.API_ERRORS, messages.STATUS_ERRORS,
              {f"parameter:{k}": lazy_gettext(v) for k, v in PARAMETER_SENTENCES.items()})
    with app.test_request_context():
        with force_locale("en"):
            english = {code: str(text) for table in tables for code, text in table.items()}
        with force_locale(lang):
            shown = {code: str(text) for table in tables for code, text in table.items()}
    same = [english[c] for c in english if shown[c] == english[c]]
    assert not same, f"untranslated in {lang}: {same}"
    # The placeholders survive translation.
    for code in english:
        assert sorted(messages._PLACEHOLDER.findall(shown[code])) == sorted(messages._PLACEHOLDER.findall(english[code]))


def parameter_sentences() -> set[str]:
    """Every literal sentence (or literal inside one) a ParameterError is raised with in archive/:
    bad_param's second argument, and any `sentence=` passed on to it."""
    found = set()
    for path in (ROOT / "archive").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            given = None
            if isinstance(node, ast.keyword) and node.arg == "sentence":
                given = node.value
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "bad_param" and len(node.args) > 1:
                given = node.args[1]
            if given is not None:  # `"a"`, `x or "a"`, `"a" if c else "b"`
                found.update(c.value for c in ast.walk(given) if isinstance(c, ast.Constant)
                             and isinstance(c.value, str))
    return found


def test_every_refused_parameter_has_a_sentence():
    """An `invalid_parameter` is said whole in tr and az (archive.api.views.parameter_error, the
    search page) only if its sentence is in the table: every one raised is."""
    found = parameter_sentences() | {rule.sentence for rule in SEARCH_FACETS.values() if rule.sentence}
    assert {"whole_number", "too_long", "value_not_a_choice", "too_deep", "day"} <= found
    missing = found - set(PARAMETER_SENTENCES)
    assert not missing, f"sentences without a message: {sorted(missing)}"


def test_field_errors_are_filled_in_the_page_language(app):
    with app.test_request_context(), force_locale("tr"):
        assert messages.field_error({"field": "title.tr", "code": "too_long", "message": "x",
                                     "params": {"limit": 500, "length": 612}}) \
            == "Başlık (tr) en fazla 500 karakter olabilir (şu an 612)."
        assert messages.field_error({"field": "genre", "code": "invalid_choice", "message": "x",
                                     "params": {"choices": ["film", "folklore"]}}) \
            == "Tür şunlardan biri olmalıdır: Sinema filmi, Folklor."
        assert messages.field_error({"field": "description", "code": "too_long", "message": "x",
                                     "params": {"limit": 20000, "length": 20001}}) \
            == "Açıklama en fazla 20.000 karakter olabilir (şu an 20.001)."
        for code in AGREED_FIELD_CODES:
            text = messages.field_error({"field": "recorded", "code": code, "message": "English",
                                         "params": EXAMPLE_PARAMS.get(code, {})})
            assert text != "English" and "%(" not in text, code
    with app.test_request_context(), force_locale("az"):
        assert messages.field_error({"field": "title.az", "code": "too_long", "message": "x",
                                     "params": {"limit": 500, "length": 612}}) \
            == "Başlıq (az) ən çox 500 simvol ola bilər (hazırda 612)."


def test_what_the_table_does_not_know_keeps_the_english_sentence(app):
    with app.test_request_context(), force_locale("tr"):
        assert messages.field_error({"field": "x", "code": "new_code", "message": "A new rule."}) == "A new rule."
        # A parameter the sentence needs is missing: the English sentence, not a broken one.
        assert messages.field_error({"field": "title.tr", "code": "too_long", "message": "Too long.",
                                     "params": {"limit": 5}}) == "Too long."
        assert messages.field_error({"field": "title.tr", "code": "too_long", "message": "Too long.",
                                     "params": "not a mapping"}) == "Too long."
        assert messages.api_error("new_code", "Something new.", 400) == "Something new."
        assert messages.api_error(None, "", 502) == str(messages.STATUS_ERRORS["5xx"])
        assert messages.asset_error("new_code", "Stored English.") == {"message": None, "detail": "Stored English."}
        assert messages.asset_error(None, None) == {"message": None, "detail": None}


def test_one_error_from_a_service_becomes_one_field_error():
    assert messages.field_errors("metadata_too_long", "title.tr is longer than 500 characters.",
                                 {"field": "title.tr", "limit": 500, "length": 612}) == [
        {"field": "title.tr", "code": "metadata_too_long", "message": "title.tr is longer than 500 characters.",
         "params": {"limit": 500, "length": 612}}]
    many = [{"field": "a", "code": "not_text"}, {"field": "b", "code": "not_text"}, "junk"]
    assert messages.field_errors("invalid_metadata", "x", {"field": "a", "errors": many}) == many[:2]


def test_api_errors_fill_sizes(app):
    with app.test_request_context(), force_locale("tr"):
        assert messages.api_error("upload_too_large", "x", 413, {"length": 11 << 20, "limit": 10 << 20}) \
            == "Bu dosya 10 MB sınırından büyük."


def test_the_scripts_get_the_same_table(app):
    with app.test_request_context(), force_locale("az"):
        table = json.loads(json.dumps(messages.script_catalogue()))
        assert table["field_errors"]["too_long"] == str(messages.FIELD_ERRORS["too_long"])
        assert table["asset_errors"].keys() == messages.ASSET_ERRORS.keys()
        assert table["fields"]["title"] == "Başlıq" and table["choices"]["genre"]["film"] == "Bədii film"
        assert table["statuses"]["rejected"] == "Rədd edildi"


def test_fill_matches_the_scripts_rule():
    assert messages.fill("%(a)s and %(b)s", {"a": 1, "b": "x"}) == "1 and x"
    assert messages.fill("%(a)s and %(b)s", {"a": 1}) is None
    assert messages.fill("no placeholders", {}) == "no placeholders"
    # The same placeholder rule in messages.js (so a message reads alike on both sides).
    source = (ROOT / "archive" / "web" / "static" / "messages.js").read_text(encoding="utf-8")
    assert r"/%\((\w+)\)s/g" in source and messages._PLACEHOLDER.pattern == r"%\((\w+)\)s"


def test_field_labels():
    assert messages.field_label("keywords[3]") == "Keywords" and messages.field_label("keywords.3") == "Keywords"
    assert messages.field_label("title.xx") == "Title" and messages.field_label("") == ""
    assert messages.field_label("colour") == "colour"


@pytest.mark.parametrize("locale, first, last", [("tr", "İlk yayın tarihi", "Son yayın tarihi"),
                                                 ("az", "İlk yayım tarixi", "Son yayım tarixi"),
                                                 ("en", "First air date", "Last air date")])
def test_a_declarations_dates_are_named_as_its_form_names_them(app, locale, first, last):
    """A refused declaration's `from`/`to` (`date_in_past`...) read as the form's labels, not as
    the API's parameter names."""
    with app.test_request_context(), force_locale(locale):
        sentences = [messages.field_error({"code": "date_in_past", "field": field, "message": "english",
                                           "params": {"today": "2026-12-01"}}) for field in ("from", "to")]
    assert sentences[0].startswith(first) and sentences[1].startswith(last)


def test_every_subtitle_refusal_has_its_own_sentence_in_every_language(app):
    """Each reason the subtitle parser gives (archive.transcripts.parse.REASONS, and every `code=`
    it raises) is said by the pages in tr, az and en with what it names filled in."""
    from archive.transcripts import parse

    source = (ROOT / "archive" / "transcripts" / "parse.py").read_text(encoding="utf-8")
    raised = {kw.value.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
              and getattr(node.func, "id", None) == "SubtitleError"
              for kw in node.keywords if kw.arg == "code" and isinstance(kw.value, ast.Constant)}
    assert raised >= {"not_utf8", "srt_cue", "cue_reversed", "no_cues"} and raised <= set(parse.REASONS)
    assert set(messages.SUBTITLE_REASONS) == {*parse.REASONS, "forbidden_characters", "too_large"}
    params = {"line": 7, "cue": 2, "limit": 20000, "characters": "U+202E", "seconds": 600.0}
    said = {}
    for lang in ("en", "tr", "az"):
        with app.test_request_context(), force_locale(lang):
            table = messages.script_catalogue()["subtitle_reasons"]
            said[lang] = {code: messages.fill(text, params) for code, text in table.items()}
    for code in messages.SUBTITLE_REASONS:
        assert said["tr"][code] and said["az"][code], code
        assert said["tr"][code] != said["en"][code] != said["az"][code], code
        if "%(line)s" in str(messages.SUBTITLE_REASONS[code]):
            assert "7" in said["tr"][code] and "7" in said["az"][code], code


@pytest.mark.parametrize("lang, word", [("tr", "yükleniyor"), ("az", "yüklənir")])
def test_an_asset_still_uploading_is_said_in_the_page_language(app, lang, word):
    """409 `asset_uploading` (a basket item, a share link, footage of an asset whose upload has
    not finished) on the pages and the co-production forms, not the service's English."""
    from archive.coproduction.pages import ERRORS

    with app.test_request_context(), force_locale(lang):
        said = messages.api_error("asset_uploading", "The asset is still being uploaded.", 409, {})
        form = str(ERRORS["asset_uploading"])
    assert word in said and word in form and "still being uploaded" not in said + form


@pytest.mark.parametrize("lang, said", [
    ("tr", "2 numaralı izin 2024-12-31 tarihinde sona erdi. 5 numaralı izin 2027-06-01 tarihinde başlıyor."),
    ("az", "2 nömrəli icazə 2024-12-31 tarixində bitib. 5 nömrəli icazə 2027-06-01 tarixində başlayır."),
    ("en", "Grant 2 ended on 2024-12-31. Grant 5 starts on 2027-06-01."),
])
def test_a_refusal_names_the_grants_outside_their_window_in_the_pages_language(app, lang, said):
    reason = {"code": "not_covered", "scope": {"periods": [{"from": "2026-03-01", "to": "2026-03-31"}],
                                               "territories": ["TR"]},
              "windows": [{"block": 2, "from": "2024-01-01", "to": "2024-12-31", "state": "ended"},
                          {"block": 5, "from": "2027-06-01", "to": None, "state": "not_started"},
                          {"block": 6, "state": "unknown"}, "not a window"]}
    with app.test_request_context(), force_locale(lang):
        text = messages.rights_reason(reason)
    assert text.endswith(" " + said)
    assert "Grant" not in text or lang == "en"


def test_an_avails_asked_for_another_organisation_says_whom_was_asked_for(app):
    details = {"action": "avails_other_organisation", "roles": ["rights_manager", "admin"], "role": "rights_manager",
               "organisation": "İctimai TV", "asset_organisation": "AzTV", "own_organisation": "TRT"}
    with app.test_request_context(), force_locale("az"):
        text = messages.api_error("not_rights_manager", "English", 403, details)
    assert "İctimai TV" in text and "AzTV" in text and "TRT" in text and "başqa bir təşkilatın" in text
    with app.test_request_context(), force_locale("tr"):
        # Any other refusal with this code keeps its own sentence.
        assert messages.api_error("not_rights_manager", "English", 403, {"organisation": "AzTV"}) \
            == str(messages.API_ERRORS["not_rights_manager"])


@pytest.mark.parametrize("lang, limit, asked", [("tr", "en çok 5 saniye", "7,5 saniye"),
                                                ("az", "ən çoxu 5 saniyə", "7,5 saniyə"),
                                                ("en", "at most 5 seconds", "7.5 seconds")])
def test_a_clip_too_long_gives_the_limit_and_the_length_asked_in_the_pages_language(app, lang, limit, asked):
    reason = {"code": "clip_too_long", "blocks": [1], "max_clip_seconds": 5, "clip_seconds": 7.5,
              "message": "Grant 1 allows clips of at most 5 s; this one is 7.5 s."}
    with app.test_request_context(), force_locale(lang):
        text = messages.rights_reason(reason)
    assert limit in text and asked in text, text



@pytest.mark.parametrize("lang, label, cue", [
    ("tr", "Altyazı kaldırıldı: bir altyazı satırı kaydın bitişinden sonra başlıyor", "bir altyazı satırı"),
    ("az", "Subtitr silindi: bir subtitr sətri yazının sonundan sonra başlayır", "bir subtitr sətri")])
def test_a_rejected_transcript_names_its_cue_as_the_upload_page_does(app, lang, label, cue):
    """The history's label of `transcript.rejected` said "bir altyazısı" / "bir subtitri" ("a
    its subtitle"); a cue is "altyazı satırı" / "subtitr sətri", as the upload page's reason
    for the same refusal (present.CARRIED_LABELS["cue_past_end"]) says it."""
    from archive.web.pages import ACTION_LABELS
    from archive.web.present import CARRIED_LABELS
    with app.test_request_context(), force_locale(lang):
        assert str(ACTION_LABELS["transcript.rejected"]) == label
        assert str(CARRIED_LABELS["cue_past_end"]).startswith(cue)
