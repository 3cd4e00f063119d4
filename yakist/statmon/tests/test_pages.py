"""Staff pages: what each person sees and what a refused action leaves them with."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yakist.cases.models import Case
from yakist.core.periods import Period
from yakist.registry.models.reference import Centre
from yakist.statmon import drafts, prefill, services
from yakist.statmon.models import Campaign, Report, ReportStatus
from yakist.statmon.tests.factories import (
    LVIV,
    current_period,
    fill,
    own_centre,
    submit,
    valid_values,
)

pytestmark = pytest.mark.django_db


def test_a_form_posted_after_the_campaign_closed_says_so_and_shows_what_was_typed(
    client, login, report, people
):
    fill(report, people["centre"])
    saved = dict(Report.objects.get(pk=report.pk).values)
    services.campaign_close(campaign=report.campaign, actor=people["ministry"])
    login("centre")
    url = f"/statmon/{report.campaign.period}/{report.centre.code}/"
    response = client.post(
        url,
        {"draft_version": "1", "action": "submit", "v:STF.TOTAL": "777", "c:STF.TOTAL": "Набір"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert f"Кампанію за {report.campaign.period} закрито" in page
    assert "Не збережено: 1 введене значення" in page
    assert "<td>777</td>" in page and "Набір" in page
    report.refresh_from_db()
    assert report.values == saved and report.status == ReportStatus.DRAFT  # the draft is kept


def test_closing_a_campaign_on_its_page_needs_a_confirmation(client, login):
    login("ministry")
    period = current_period().code
    response = client.post(
        "/statmon/campaigns/", {"action": "close", "period": period}, follow=True
    )
    assert "Підтверджую закриття" in response.content.decode()
    assert Campaign.objects.get(period=period).is_open
    client.post("/statmon/campaigns/", {"action": "close", "period": period, "confirm": "1"})
    assert not Campaign.objects.get(period=period).is_open


def test_a_coordinators_rollup_and_exports_are_its_oblast_not_the_country(client, login):
    login("coordinator")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/rollup/")
    assert response.context["area"].code == LVIV
    assert "Зведення: Львівська область" in response.content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/statmon/{period}/export.csv").content.decode("utf-8-sig"))
        )
    )
    assert rows and {row["area_code"] for row in rows} == {LVIV}
    workbook = load_workbook(
        io.BytesIO(client.get(f"/statmon/{period}/export.xlsx").content), read_only=True
    )
    assert workbook.sheetnames == ["Зведення", "Львівська область"]
    title = next(workbook["Зведення"].iter_rows(values_only=True))[0]
    assert title.endswith("Львівська область") and "Україна" not in title


def test_the_national_completeness_table_adds_up_the_regions(client, login):
    login("ministry")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/")
    total = response.context["total"]
    assert total["expected"] == Report.objects.filter(campaign__period=period).count()
    assert total["accepted"] == sum(row["accepted"] for row in response.context["regions"])
    assert '<th scope="row">Разом</th>' in response.content.decode()


def test_the_review_view_lists_the_explained_warnings_with_links_to_their_rows(
    client, login, report, people
):
    values = valid_values(report)
    values["HRS.WEEKLY_HOURS"] = 12.5  # differs from the registry's schedule: a warning
    submit(report, people["centre"], values)
    warned = [f for f in report.versions.get().findings if f["severity"] == "warning"]
    assert warned
    login("coordinator")
    page = client.get(f"/statmon/{report.campaign.period}/{report.centre.code}/").content.decode()
    for finding in warned:
        anchor = "f-" + finding["code"].replace(".", "-")
        assert f'href="#{anchor}"' in page and f'<tr id="{anchor}" class="warn-row">' in page
    assert "пояснення центру" in page and "Перевірено: значення правильне." in page


def test_the_catalogue_page_names_types_and_centre_kinds_in_ukrainian(client, login):
    login("centre")
    page = client.get("/statmon/forms/1/").content.decode()
    assert "ціле число, осіб" in page and "так / ні" in page
    assert "<dd>ЦНАП, Територіальний підрозділ ЦНАП, Віддалене робоче місце" in page
    assert "<td>integer" not in page and "centre, subdivision" not in page


def test_dynamic_monitorings_counts_are_offered_for_services_by_kind(report):
    case = Case.objects.filter(sandbox=False, centre__kind=Centre.Kind.CENTRE).first()
    assert case is not None, "the test world has cases"
    period = Period.quarter_of(timezone.localtime(case.received_at).date())
    centre = case.centre
    received = Case.objects.filter(
        sandbox=False, centre=centre, received_at__gte=period.start, received_at__lt=period.end
    )
    form = drafts.report_form(report)
    suggestions = prefill.suggestions(form.applicable(centre.kind), [centre], period)[centre.pk]
    offered = suggestions["SRV.APPLICATIONS"]
    assert offered.value == received.count()
    assert str(offered.label).startswith("Динамічний моніторинг")
    kinds = sum(s.value for code, s in suggestions.items() if code.startswith("SRV.K_"))
    assert kinds == received.count()  # every application lands in exactly one kind


def test_the_home_panel_points_to_an_earlier_open_quarter_that_still_needs_work(client, login):
    user = login("centre")
    previous = current_period().previous()
    returned = Report.objects.get(campaign__period=previous.code, centre=own_centre(user))
    assert returned.status == ReportStatus.RETURNED  # the demo returned the centre's report
    page = client.get("/accounts/").content.decode()
    assert "Потребують уваги в інших відкритих кварталах" in page
    assert f'href="/statmon/{previous.code}/">{previous.label}</a>:' in page
    assert "повернуто — 1" in page
