"""Percentages in the page's language, one way everywhere: the server's Babel (CLDR percent
pattern: "%60" in Turkish, "60%" in Azerbaijani and English) and the scripts' messages.js (the
same pattern, sent in the page's catalogue). No page or script writes a number and a "%" itself."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from archive.web.i18n import format_percent_of, format_rate

ROOT = Path(__file__).resolve().parents[3] / "archive"


@pytest.mark.parametrize("lang, whole, two, rate", [("tr", "%60", "%33,33", "0,027"), ("az", "60%", "33,33%", "0,027"),
                                                    ("en", "60%", "33.33%", "0.027")])
def test_percentages_and_rates_as_each_language_writes_them(app, lang, whole, two, rate):
    with app.test_request_context(), force_locale(lang):
        assert format_percent_of(60) == whole
        assert format_percent_of("33.33", 2) == two
        assert format_rate("0.0270") == rate


def _sources(pattern: str):
    for path in ROOT.rglob(pattern):
        if "vendor" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def test_no_script_glues_a_percent_sign_to_a_number_it_shows():
    glued = re.compile(r'(textContent|innerText|value)\s*=[^;\n]*\+\s*"\s*%')
    found = [f"{p.name}:{n}" for p, text in _sources("*.js") for n, line in enumerate(text.splitlines(), 1)
             if glued.search(line) or re.search(r'\+\s*"%\s*·', line)]
    assert found == []


def test_no_template_glues_a_percent_sign_to_a_number_it_shows():
    glued = re.compile(r"}}\s?%(?!\})|[0-9]%</")
    found = [f"{p.name}:{n}" for p, text in _sources("*.html") for n, line in enumerate(text.splitlines(), 1)
             if glued.search(line)]
    assert found == []


@pytest.mark.parametrize("lang, shown", [("tr", "%100"), ("az", "100%"), ("en", "100%")])
def test_the_asset_page_shows_rendition_progress_in_its_language(app, client, make_user, lang, shown):
    from tests.asset_factory import create_asset
    from tests.unit.web.conftest import log_in

    uid, _ = make_user("producer", "TR", email="pct@example.org")
    asset_id = create_asset(app, uid, renditions={"proxy": {"data": b"x" * 10, "content_type": "video/mp4",
                                                            "ext": ".mp4"}})
    client.get(f"/lang/{lang}")
    assert log_in(client, "pct@example.org").status_code == 302
    html = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert re.search(r'<progress id="rendition-1" max="100" value="100">' + re.escape(shown) + "</progress>", html)
