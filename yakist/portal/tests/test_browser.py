"""The public site in Debian Chromium: search, report, QR decoded from the page, feedback,
and axe-core accessibility checks (no serious or critical violations)."""

import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image

from yakist.portal import services
from yakist.portal.tests.conftest import QUARTER, YEAR, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
# The README's pictures are refreshed on request (YAKIST_SCREENSHOTS=docs/screenshots); an
# ordinary run writes them to a temporary folder and leaves the checkout clean.
SCREENSHOTS = Path(
    os.environ.get("YAKIST_SCREENSHOTS") or tempfile.mkdtemp(prefix="yakist-screenshots-")
)


@contextmanager
def chromium():
    """Started after the test has written its data: Playwright's sync API runs an event loop
    in this thread, and the ORM must not be used from inside it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_citizen_finds_a_centre_reads_its_report_checks_the_qr_and_reports_an_error(
    world, ministry, live_url
):
    published = []
    for subject in world:
        published.append(publish(subject, YEAR, ministry).code)
        published.append(publish(subject, QUARTER, ministry).code)
    centre = world[0]
    with chromium() as browser:
        _walk(browser, live_url, centre)
        _every_report_qr(browser, live_url, published)


def _every_report_qr(browser, live_url, codes):
    """Every published report: its permalink answers, and the QR on its page decodes to it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for code in codes:
        permalink = f"{settings.PUBLIC_BASE_URL}/p/{code}"
        response = page.goto(live_url + f"/p/{code}")
        assert response.status == 200, code
        assert page.locator("#permalink").inner_text() == permalink
        decoded = zxingcpp.read_barcodes(
            Image.open(io.BytesIO(page.locator("#report-qr").screenshot()))
        )
        assert [d.text for d in decoded] == [permalink], code


def _walk(browser, live_url, centre):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(live_url + "/")
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=False)

    settlement = centre.settlement.split(" ", 1)[-1]
    page.get_by_label("Знайдіть свій ЦНАП за назвою або населеним пунктом").fill(settlement)
    page.get_by_role("button", name="Шукати").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name=centre.name).first.click()
    assert page.locator("h1").inner_text() == centre.name
    assert serious_violations(page) == []
    page.screenshot(path=str(SCREENSHOTS / "centre.png"), full_page=True)

    page.get_by_role("link", name="повний звіт і постійне посилання").first.click()
    assert serious_violations(page) == []
    permalink = page.locator("#permalink").inner_text()
    qr_png = page.locator("#report-qr").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png)))
    assert [d.text for d in decoded] == [permalink]
    assert permalink.startswith(settings.PUBLIC_BASE_URL + "/p/")
    assert page.url == live_url + permalink.removeprefix(settings.PUBLIC_BASE_URL)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=False)

    page.get_by_label("Ваше повідомлення").fill("Частка вчасно наданих послуг виглядає завищеною.")
    page.get_by_role("button", name="Надіслати").click()
    assert "/feedback/status/" in page.url
    assert "Частка вчасно наданих послуг" in page.content()
    assert serious_violations(page) == []

    mobile = browser.new_page(viewport={"width": 390, "height": 844}, bypass_csp=True)
    widget = f"/widget/{services.subject_code('centre', centre.key)}"
    for path in (
        "/indicators/timeliness",
        "/open-data/",
        f"/regions/{centre.region_code}",
        "/reports/",
        widget,
        "/en/",
    ):
        mobile.goto(live_url + path)
        assert serious_violations(mobile) == [], path
    mobile.goto(live_url + "/en/")
    mobile.screenshot(path=str(SCREENSHOTS / "home-mobile-en.png"), full_page=False)
