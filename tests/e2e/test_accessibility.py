"""Accessibility, measured: axe-core on every page in tr, az and en (0 violations of the WCAG
2.0/2.1 A and AA rules), and keyboard-only walks of the upload, the player and the edit form
with a visible focus indicator at every stop."""
from __future__ import annotations

import json

import pytest

from tests.e2e.a11y import assert_focus_visible, axe_violations, focus_state
from tests.e2e.conftest import log_in, until

pytestmark = pytest.mark.browser

LANGS = ("tr", "az", "en")
SAVED = {"tr": "Kaydedildi.", "az": "Yadda saxlanıldı.", "en": "Saved."}


def _log_in(page, service, email=None, lang=None) -> None:
    log_in(page, service, email, lang)


def _language(page, service, lang: str) -> None:
    page.goto(f"{service.url}/lang/{lang}?next=/login")
    assert page.locator("html").get_attribute("lang") == lang


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR")
    yield ctx
    ctx.close()


def _check(page, lang: str, name: str, found: dict) -> None:
    violations = axe_violations(page)
    found[f"{lang} {name}"] = violations


def test_every_page_in_every_language_has_no_wcag_aa_violations(context, service, seeded, coproduction_seed):
    """The figures of the report: pages × languages, and the violations found."""
    project = f"/projects/{coproduction_seed.project_id}"
    pages = [("co-productions", "/projects"), ("new co-production", "/projects/new"),
             ("co-production project", project), ("commission", "/commission"),
             ("archive", "/"), ("search results", "/?q=saz"), ("upload", "/upload"),
             ("asset: video", f"/assets/{seeded.video}"), ("asset: audio", f"/assets/{seeded.audio}"),
             ("asset: rejected", f"/assets/{seeded.rejected}"), ("my uploads", "/my-uploads"),
             ("notifications", "/notifications"), ("error 404", "/no-such-page"), ("error 405", "/logout"),
             ("clip export", f"/assets/{seeded.video}/clip?in=00:00:00:05&out=00:00:01:00"),
             ("clip export: checked", f"/assets/{seeded.video}/clip?in=00:00:00:05&out=00:00:01:00&checked=1"),
             ("clip export: refused marks", f"/assets/{seeded.video}/clip?in=00:00:02:00&out=00:00:01:00&checked=1")]
    # The usage audit is a rights manager's page (with the uses the seed's downloads left).
    auditor = "denetim@ortak.example"
    service.create_user(auditor, "Ortak TV", "rights_manager")
    found: dict[str, list] = {}
    page = context.new_page()
    for lang in LANGS:
        _language(page, service, lang)
        _check(page, lang, "login", found)
        page.goto(service.url + "/no-such-page")
        _check(page, lang, "error 404 (logged out)", found)
        _log_in(page, service, lang=lang)
        for name, path in pages:
            page.goto(service.url + path)
            assert page.locator("html").get_attribute("lang") == lang, (lang, path)
            _check(page, lang, name, found)
        # States a page only reaches by use: a refused edit, an upload without a file.
        page.goto(f"{service.url}/assets/{seeded.video}")
        page.fill("#recorded", "1975-13")
        page.click("#metadata button[type=submit]")
        page.wait_for_selector("#edit-errors")
        # The list of problems takes the focus, visibly, so it is read first.
        # The focus goes to the list of problems.
        until(page, "document.activeElement && document.activeElement.id === 'edit-errors'", timeout_s=15)
        assert_focus_visible(page, "edit refused")
        _check(page, lang, "asset: edit refused", found)
        page.goto(service.url + project)
        page.fill("#c-amount", "-1")
        page.fill("#c-date", "2026-01-05")
        page.click("#contribution-form button[type=submit]")
        page.wait_for_selector("#form-errors")
        _check(page, lang, "co-production: contribution refused", found)
        page.goto(service.url + project)
        page.fill("#b-category", "Montaj")
        page.fill("#b-amount", "-100")
        page.fill("#b-currency", "XYZ")
        page.click("#budget-form button[type=submit]")
        page.wait_for_selector("#b-amount-error")
        _check(page, lang, "co-production: budget line refused", found)
        page.goto(service.url + "/projects/new")
        page.click("#add-party")
        page.wait_for_selector("#p-party-2-organisation")
        _check(page, lang, "new co-production: a party row added", found)
        page.fill("#p-reporting_currency", "XY")
        page.fill("#p-party-0-share", "120")
        page.click("#create-project")
        page.wait_for_selector("#p-title-error")
        _check(page, lang, "new co-production: refused", found)
        page.goto(service.url + "/upload")
        page.click("#start")
        page.wait_for_selector("#result .notice-error")
        _check(page, lang, "upload: error shown", found)
        page.context.clear_cookies()
        _log_in(page, service, auditor)
        page.goto(service.url + "/audit")
        until(page, "window.ortakCharts !== undefined")
        _check(page, lang, "usage audit", found)
        page.context.clear_cookies()
    bad = {k: v for k, v in found.items() if v}
    print(f"axe-core WCAG 2.0/2.1 A+AA: {len(found)} page states ({len(found) // len(LANGS)} per language × "
          f"{len(LANGS)} languages), {sum(len(v) for v in found.values())} violations")
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)


def _tab_until(page, selector: str, where: str, key: str = "Tab", limit: int = 60) -> list[str]:
    """Press `key` until `selector` has the focus, checking the focus is visible at every stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stops.append(assert_focus_visible(page, where)["focused"])
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{where}: {selector} never took the focus; stops: {stops}")


def test_keyboard_only_upload(context, service, tmp_path):
    clip = tmp_path / "klavye.bin"
    clip.write_bytes(b"klavye ile secildi " * 20_000)  # 380 kB: a few progress steps
    page = context.new_page()
    _log_in(page, service)
    page.goto(service.url + "/upload")
    _tab_until(page, "#choose", "upload")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(clip))
    assert "klavye.bin" in page.inner_text("#chosen")
    assert page.input_value("#title_tr") == "" and page.input_value("#title_en") == ""  # nothing made up
    _tab_until(page, "#title_tr", "upload")
    page.keyboard.type("Klavyeyle yüklendi")
    _tab_until(page, "#start", "upload")
    page.keyboard.press("Shift+Tab")  # back once, and forward again: both directions show the focus
    assert_focus_visible(page, "upload, Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "start"
    page.keyboard.press("Enter")
    page.wait_for_selector("#progress-box:not([hidden])")
    page.wait_for_selector("#asset-link", timeout=60_000)
    assert page.eval_on_selector("#progress", "el => el.value") == 100
    assert "%100 · " in page.inner_text("#progress-text")  # a Turkish page: the sign first (CLDR)
    # The answer takes the focus, visibly, and its link is the next stop.
    assert page.evaluate("document.activeElement.id") == "result"
    assert_focus_visible(page, "upload answer")
    _tab_until(page, "#asset-link", "upload answer")
    page.keyboard.press("Enter")
    page.wait_for_selector("#asset-title")
    assert page.inner_text("#asset-title") == "Klavyeyle yüklendi"


def test_keyboard_only_player(context, service, seeded):
    page = context.new_page()
    _log_in(page, service)
    page.goto(f"{service.url}/assets/{seeded.video}")
    page.wait_for_selector("video#player")
    state = None
    _tab_until(page, "video#player", "player")
    state = focus_state(page)
    assert state["ring"]["element"].startswith("div.player"), state  # drawn around the player, unclipped
    page.keyboard.press("Space")
    until(page, "!document.getElementById('player').paused", timeout_s=15)  # it starts on Space
    until(page, "document.getElementById('player').currentTime > 0.3", timeout_s=15)  # and advances
    page.keyboard.press("Space")
    until(page, "document.getElementById('player').paused", timeout_s=15)  # it pauses on Space
    assert_focus_visible(page, "player after play/pause")
    # Into the player's own controls and back out: the ring stays visible around the player.
    page.keyboard.press("Tab")
    assert_focus_visible(page, "player controls")
    page.keyboard.press("Shift+Tab")
    assert_focus_visible(page, "player, Shift+Tab")


def test_keyboard_only_edit_lands_on_the_saved_status(context, service, seeded):
    page = context.new_page()
    _log_in(page, service)
    page.goto(f"{service.url}/assets/{seeded.video}")
    _tab_until(page, "#title_az", "edit form")
    page.keyboard.press("Control+A")
    page.keyboard.type("Saz konserti")
    _tab_until(page, "#metadata button[type=submit]", "edit form")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The focus goes to the saved status.
    until(page, "document.activeElement && document.activeElement.id === 'save-status'", timeout_s=15)
    state = assert_focus_visible(page, "after saving")
    assert page.inner_text("#save-status") == SAVED["tr"], state
    # Saved for real, and nothing said twice at the top of the page.
    assert page.input_value("#title_az") == "Saz konserti"
    assert page.locator("text=" + SAVED["tr"]).count() == 1
