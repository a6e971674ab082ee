"""The provenance page and the fixity report in a real browser: axe-core finds no WCAG 2.0/2.1
A/AA violation in tr, az and en; the provenance page is reached from the asset page and shows the
fixity the CLI just recorded; the bag is downloaded from its form."""
from __future__ import annotations

import json
import tarfile
import uuid

import pytest

from tests.e2e.test_accessibility import LANGS, _check, _language, _log_in, context  # noqa: F401

pytestmark = pytest.mark.browser


def test_provenance_and_fixity_pages(context, service, seeded, tmp_path):  # noqa: F811
    out = service.cli("fixity", "check", "--asset", seeded.video)  # exit status 0: all intact
    assert "0 fail, 0 missing" in out
    admin = f"fixity-{uuid.uuid4().hex[:6]}@ortak.example"  # the fixity report is an admin's page
    service.create_user(admin, "Ortak TV", "admin")
    found: dict[str, list] = {}
    page = context.new_page()
    for lang in LANGS:
        _language(page, service, lang)
        _log_in(page, service, lang=lang)
        page.goto(f"{service.url}/assets/{seeded.video}")
        page.click("#provenance-link")
        page.wait_for_selector("#fixity")
        assert page.locator("html").get_attribute("lang") == lang
        assert int(page.locator("[data-count-pass]").get_attribute("data-count-pass")) >= 1
        _check(page, lang, "provenance", found)
        page.context.clear_cookies()
        _language(page, service, lang)
        _log_in(page, service, admin, lang)
        page.goto(service.url + "/fixity")
        page.wait_for_selector("#fixity-report")
        assert page.locator("html").get_attribute("lang") == lang
        _check(page, lang, "fixity report", found)
        page.context.clear_cookies()
    _log_in(page, service)
    page.goto(f"{service.url}/assets/{seeded.video}/provenance")
    with page.expect_download() as info:
        page.click("#bag-export")
    path = tmp_path / "bag.tar"
    info.value.save_as(path)
    with tarfile.open(path) as tar:
        names = tar.getnames()
    assert f"ortak-{seeded.video}/data/metadata/premis.xml" in names
    bad = {k: v for k, v in found.items() if v}
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
