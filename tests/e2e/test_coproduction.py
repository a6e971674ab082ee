"""A co-production in Chromium: a TR producer creates the project through the new-project form
(a party row added and removed, a share mistake shown beside its field), sets its rate, budget,
calendar and footage through the project page's forms, then records a cash contribution in TRY
and a footage contribution from a segment of an archive video; an AZ producer confirms one and
disputes the other; the dashboard's share and chart follow; the PDF report downloads and its
text shows the confirmed totals and the ledger's head."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.e2e.conftest import log_in
from tests.e2e.coproduction import AZ_ORG, TR_ORG

pytestmark = pytest.mark.browser


def _log_in(page, service, email: str, lang: str) -> None:
    log_in(page, service, email, lang)


def _chart(page) -> dict:
    page.wait_for_selector("#charts[data-drawn='1']", state="attached")
    return {"data": json.loads(page.get_attribute("#charts", "data-chart")),
            "drawn": page.evaluate("""() => ({
                monthly: window.ortakCharts.monthly.data.datasets.map(d => [d.label, d.data]),
                share: window.ortakCharts.share.data.datasets.map(d => [d.label, d.data])})""")}


def _row(page, description: str):
    return page.locator("tr[data-entry]", has_text=description)


def _create_project(tr, service) -> str:
    """The TR producer creates the project through the form; returns the project page's URL."""
    tr.goto(service.url + "/projects")
    tr.click("#new-project")
    tr.wait_for_url(service.url + "/projects/new")
    tr.fill("#p-title-tr", "Karşı Kıyılar")
    tr.fill("#p-title-az", "Qarşı Sahillər")
    tr.fill("#p-title-en", "Facing Shores")
    tr.select_option("#p-kind", "documentary")
    tr.fill("#p-reporting_currency", "EUR")
    tr.select_option("#p-rule_set", "coe_2017_bilateral")
    tr.fill("#p-footage_rate_per_minute", "600.00")
    assert tr.input_value("#p-party-0-organisation") == TR_ORG  # the producer's own, as lead
    tr.fill("#p-party-0-share", "50")
    # A third row added and taken away again; what was typed stays.
    tr.click("#add-party")
    tr.wait_for_selector("#p-party-2-organisation")
    assert tr.input_value("#p-title-tr") == "Karşı Kıyılar" and tr.input_value("#p-party-0-share") == "50"
    tr.click("tr[data-party-row='2'] button[name='row_action']")
    tr.wait_for_selector("#p-party-2-organisation", state="detached")
    tr.select_option("#p-party-1-organisation", AZ_ORG)
    tr.select_option("#p-party-1-role", "co_producer")
    tr.fill("#p-party-1-share", "40")
    tr.click("#create-project")
    tr.wait_for_selector("#p-parties-error")
    assert "100 değil, 90" in tr.inner_text("#p-parties-error")
    tr.fill("#p-party-1-share", "50")
    tr.press("#p-party-1-share", "Enter")  # Enter creates (it does not press the first "remove")
    tr.wait_for_url(lambda u: "/projects/" in u and not u.endswith("/new"))
    assert f"{TR_ORG} ve {AZ_ORG} ortak yapımı" in tr.inner_text("h1 + p")
    return tr.url.split("#")[0]


def _plan_it(tr, url: str, video: str) -> None:
    """Rate, budget line, milestone and footage through the project page's forms."""
    tr.fill("#r-currency", "TRY")
    tr.fill("#r-date", "2026-01-02")
    tr.fill("#r-rate", "0.0270")
    tr.fill("#r-source", "TCMB")
    tr.click("#rates button[type=submit]")
    tr.wait_for_url(url + "#rates")
    tr.fill("#b-category", "Çekim")
    tr.fill("#b-amount", "20000.00")
    tr.fill("#b-currency", "EUR")
    tr.click("#budget-form button[type=submit]")
    tr.wait_for_url(url + "#budget")
    assert "Çekim" in tr.inner_text("#budget-lines")
    tr.fill("#m-title", "Çekimler başlar")
    tr.fill("#m-due", "2027-03-01")
    tr.select_option("#m-owner", TR_ORG)
    tr.click("#milestone-form button[type=submit]")
    tr.wait_for_url(url + "#calendar")
    tr.click("li[data-milestone] button[data-action='done']")
    tr.wait_for_url(url + "#calendar")
    assert "tamamlandı" in tr.inner_text("li[data-milestone] [data-role='done']")
    tr.fill("#f-asset_id", video)
    tr.fill("#f-in", "00:00:01:00")
    tr.fill("#f-out", "00:00:09:00")  # past the 6 s video: refused beside the field
    tr.click("#footage-form button[type=submit]")
    tr.wait_for_selector("#f-out-error")
    tr.fill("#f-out", "00:00:05:00")
    tr.click("#footage-form button[type=submit]")
    tr.wait_for_url(url + "#footage")
    assert "00:00:01:00–00:00:05:00" in tr.inner_text(f"li[data-asset='{video}']")


def test_a_contribution_confirmed_and_one_disputed_change_the_dashboard(browser, service, coproduction_seed,
                                                                        tmp_path):
    seed = coproduction_seed
    tr_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="tr-TR", accept_downloads=True)
    az_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="az-AZ")
    try:
        tr = tr_ctx.new_page()
        _log_in(tr, service, service.email, "tr")
        url = _create_project(tr, service)
        _plan_it(tr, url, seed.video)
        before = _chart(tr)
        assert before["data"]["months"] == []
        # Cash in TRY.
        tr.select_option("#c-kind", "cash")
        tr.fill("#c-amount", "100000.00")
        tr.fill("#c-currency", "TRY")
        tr.fill("#c-date", "2026-01-05")
        tr.fill("#c-description", "Nakit katkı")
        tr.click("#contribution-form button[type=submit]")
        tr.wait_for_url(url + "#ledger")
        assert "Onay bekliyor" in _row(tr, "Nakit katkı").inner_text()
        # Footage: a segment of the archive video (4.00 s at 600 EUR a minute = 40.00 EUR).
        tr.select_option("#c-kind", "footage")
        tr.fill("#c-asset", seed.video)
        tr.fill("#c-in", "00:00:01:00")
        tr.fill("#c-out", "00:00:05:00")
        tr.fill("#c-date", "2026-01-06")
        tr.fill("#c-description", "Arşiv görüntüsü")
        tr.click("#contribution-form button[type=submit]")
        tr.wait_for_url(url + "#ledger")
        footage = _row(tr, "Arşiv görüntüsü")
        assert "40,00" in footage.inner_text() and "Onay bekliyor" in footage.inner_text()
        # The TR side cannot confirm its own entries.
        assert tr.locator("button[data-action='confirm']").count() == 0
        pending = _chart(tr)
        tr_pending = pending["data"]["countries"][0]
        assert tr_pending["code"] == "TR" and tr_pending["pending"] == [2740.0] and tr_pending["confirmed"] == [0.0]

        az = az_ctx.new_page()
        _log_in(az, service, seed.az_email, "az")
        az.goto(url)
        _row(az, "Nakit katkı").locator("button[data-action='confirm']").click()
        az.wait_for_url(url + "#ledger")
        assert "Təsdiqləndi" in _row(az, "Nakit katkı").inner_text()
        row = _row(az, "Arşiv görüntüsü")
        row.locator("input[name='reason']").fill("Görüntünün hüquqları göstərilməyib")
        row.locator("button[data-action='dispute']").click()
        az.wait_for_url(url + "#ledger")
        assert "Etiraz edildi" in _row(az, "Arşiv görüntüsü").inner_text()
        # The AZ page shows the TR share of what is confirmed: 100,00% (CLDR az).
        assert az.locator("#parity-countries tr[data-country='TR'] [data-role='share']").inner_text() == "100,00%"

        tr.goto(url)
        after = _chart(tr)
        tr_after = after["data"]["countries"][0]
        assert tr_after["confirmed"] == [2700.0] and tr_after["pending"] == [40.0]
        assert tr_after["cumulative_share"] == [100.0]
        drawn = dict(after["drawn"]["monthly"])
        assert [2700] in drawn.values() or [2700.0] in drawn.values(), drawn
        assert "İtiraz edildi" in _row(tr, "Arşiv görüntüsü").inner_text()
        assert tr.locator("#parity-countries tr[data-country='TR'] [data-role='confirmed']").inner_text() == "2.700,00"
        head = tr.inner_text("#ledger-head").strip()

        with tr.expect_download() as info:
            tr.click("a[data-report='pdf-tr']")
        pdf = tmp_path / "rapor.pdf"
        info.value.save_as(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                              text=True).stdout
        assert "Komisyon plan raporu" in text and head in text
        assert "2.700,00" in text and TR_ORG in text and "Nakit" in text
        assert "Toplam onaylı" in text
    finally:
        tr_ctx.close()
        az_ctx.close()
