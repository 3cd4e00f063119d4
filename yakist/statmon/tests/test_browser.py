"""In a browser: a centre fills its report (form and XLSX); the coordinator returns, accepts."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect, sync_playwright

from yakist.demo.accounts import DEMO_PASSWORD
from yakist.statmon.models import ReportStatus
from yakist.statmon.tests.factories import as_entries, current_report, own_centre, valid_values
from yakist.statmon.xlsx import SHEET

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Робочий кабінет")


def log_out(page: Page) -> None:
    page.click("header >> text=Вийти")


def explain_warnings(page: Page) -> None:
    """Write an explanation into every warning's comment box, as the form asks."""
    boxes = page.locator("textarea[name^='c:']")
    for index in range(boxes.count()):
        if not boxes.nth(index).input_value():
            boxes.nth(index).fill("Перевірено, значення правильне.")


def test_centre_fills_in_browser_and_by_xlsx_coordinator_returns_then_accepts(
    live_url, django_user_model, tmp_path, monkeypatch
):
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    centre_user = django_user_model.objects.get(username="centre")
    report = current_report(own_centre(centre_user))
    entries = as_entries(report, valid_values(report))
    report_url = f"{live_url}/statmon/{report.campaign.period}/{report.centre.code}/"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        context = browser.new_context(locale="uk-UA", accept_downloads=True)
        page = context.new_page()

        # The centre types into the form; text in a number field is kept and explained.
        log_in(page, live_url, "centre")
        page.goto(report_url)
        page.fill("#f-STF-TOTAL", "десять")
        page.click("#sec-STF button[name=save]")
        expect(page.locator("#sec-STF")).to_contain_text("Введіть ціле число")
        expect(page.locator("#f-STF-TOTAL")).to_have_value("десять")
        page.fill("#f-STF-TOTAL", entries["STF.TOTAL"])
        page.click("#sec-STF button[name=save]")
        expect(page.locator(".messages")).to_contain_text("Чернетку збережено.")

        # Then downloads the XLSX template, fills the rest in a spreadsheet and uploads it.
        with page.expect_download() as download:
            page.click("text=Завантажити шаблон XLSX")
        template = tmp_path / "template.xlsx"
        download.value.save_as(template)
        workbook = load_workbook(template)
        for row in workbook[SHEET].iter_rows(min_row=6):
            if row[0].value in entries:
                row[4].value = entries[row[0].value]
        filled = tmp_path / "filled.xlsx"
        workbook.save(filled)
        page.set_input_files("#upload-file", str(filled))
        page.click("text=Завантажити файл")
        expect(page.locator(".messages")).to_contain_text("Файл прочитано")

        page.click("button[value=submit]")
        if page.locator(".statmon-summary").count():
            explain_warnings(page)
            page.click("button[value=submit]")
        expect(page.locator(".messages")).to_contain_text("Звіт подано на перевірку")
        log_out(page)

        # The coordinator finds it on the oblast dashboard and returns it with a comment.
        log_in(page, live_url, "coordinator")
        page.goto(f"{live_url}/statmon/{report.campaign.period}/?status=submitted")
        page.click(f"tr:has-text('{report.centre.code}') >> text=Перевірити")
        page.fill("#return-comment", "Уточніть кількість консультацій телефоном.")
        page.click("text=Повернути на доопрацювання")
        expect(page.locator(".messages")).to_contain_text("Звіт повернуто центру")
        log_out(page)

        # The centre sees the comment, corrects a value and submits again.
        log_in(page, live_url, "centre")
        page.goto(report_url)
        expect(page.locator("main")).to_contain_text("Уточніть кількість консультацій телефоном.")
        page.fill("#f-CNS-PHONE", "0")
        page.click("button[value=submit]")
        if page.locator(".statmon-summary").count():
            explain_warnings(page)
            page.click("button[value=submit]")
        expect(page.locator(".messages")).to_contain_text("Звіт подано на перевірку")
        log_out(page)

        # The coordinator accepts; the history shows every step and both versions.
        log_in(page, live_url, "coordinator")
        page.goto(report_url)
        page.click("text=Прийняти звіт")
        expect(page.locator(".messages")).to_contain_text("Звіт прийнято.")
        page.click("text=Історія і версії")
        history = page.locator("main")
        for step in ("подано", "повернуто на доопрацювання", "прийнято", "завантажено XLSX"):
            expect(history).to_contain_text(step)
        expect(history).to_contain_text("Версія 2 — прийнято")
        expect(history).to_contain_text("Версія 1 — повернуто")
        page.screenshot(path=str(tmp_path / "history.png"), full_page=True)
        browser.close()

    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.accepted_version.number == 2
    assert report.accepted_version.values["CNS.PHONE"] == 0
    steps = [a for a in report.events.values_list("action", flat=True) if a != "save"]
    assert steps == ["upload", "submit", "return", "submit", "accept"]
