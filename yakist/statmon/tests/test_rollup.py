"""National roll-up and the ministry's exports: figures trace back to accepted centre values."""

import csv
import io

import pytest
from openpyxl import load_workbook

from yakist.accounts.scope import scope_of
from yakist.statmon import rollup, selectors
from yakist.statmon.models import ACCEPTED_STATUSES, Report
from yakist.statmon.specs import IndicatorSpec
from yakist.statmon.tests.factories import LVIV, current_period

pytestmark = pytest.mark.django_db

SUM_CODES = ["SRV.APPLICATIONS", "STF.TOTAL", "CNS.PHONE", "PRM.SEATS"]


def accepted_sum(code: str, *, region: str | None = None) -> int:
    reports = Report.objects.filter(
        campaign__period=current_period().previous().code, status__in=ACCEPTED_STATUSES
    )
    if region:
        reports = reports.filter(centre__region_id=region)
    return sum(
        values.get(code) or 0
        for values in reports.values_list("accepted_version__values", flat=True)
    )


def test_ministry_xlsx_export_totals_equal_the_sum_of_accepted_centre_values(client, login):
    login("ministry")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames[0] == "Зведення"
    assert "Львівська область" in workbook.sheetnames and len(workbook.sheetnames) >= 25
    summary = {
        row[0]: row
        for row in workbook["Зведення"].iter_rows(values_only=True)
        if row and isinstance(row[0], str) and "." in row[0]
    }
    for code in SUM_CODES:
        assert summary[code][4] == accepted_sum(code), code
    lviv = {
        row[0]: row
        for row in workbook["Львівська область"].iter_rows(values_only=True)
        if row and isinstance(row[0], str) and "." in row[0]
    }
    for code in SUM_CODES:
        assert lviv[code][4] == accepted_sum(code, region=LVIV), code
    completeness = next(
        row for row in workbook["Зведення"].iter_rows(values_only=True) if row[0] == LVIV
    )
    expected = Report.objects.filter(campaign__period=period, centre__region_id=LVIV).count()
    assert completeness[2] == expected


def test_csv_export_has_a_row_per_area_and_indicator_with_the_same_totals(client, login):
    login("ministry")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/export.csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    national = {r["indicator_code"]: r for r in rows if r["area_code"] == "UA"}
    assert int(national["SRV.APPLICATIONS"]["value"]) == accepted_sum("SRV.APPLICATIONS")
    assert (
        national["SRV.APPLICATIONS"]["previous_period"]
        == current_period().previous().previous().code
    )
    assert {r["area_code"] for r in rows} >= {"UA", LVIV}


def test_previous_quarter_and_change_are_shown_for_comparison(django_user_model):
    ministry = django_user_model.objects.get(username="ministry")
    campaign = selectors.campaign_get(current_period().previous().code)
    data = rollup.rollup_build(scope_of(ministry), campaign)
    cell = data.national.cells["SRV.APPLICATIONS"]
    before = data.national.previous["SRV.APPLICATIONS"]
    assert before.value and cell.change(before) == round(
        100 * (cell.value - before.value) / before.value, 1
    )
    assert data.national.completeness["expected"] == campaign.reports.count()


def spec(code="X.Y", aggregation="sum", type_="integer", weight="") -> IndicatorSpec:
    return IndicatorSpec(
        code=code, section="X", name="x", name_en="x", help="", type=type_, unit="",
        choices=(), applies_to=frozenset({"centre"}), required=True, min_value=None,
        max_value=None, decimals=1, aggregation=aggregation, weight=weight, checklist=False,
        carry_over=False, prefill="", change_warning=False,
    )  # fmt: skip


def test_each_aggregation_rule_is_applied_and_missing_answers_are_not_zero():
    rows = [{"X.Y": 10, "W": 1}, {"X.Y": 30, "W": 3}, {"W": 5}]
    assert rollup.aggregate(spec(), rows) == rollup.Cell(40, 2)
    assert rollup.aggregate(spec(aggregation="mean"), rows) == rollup.Cell(20.0, 2)
    assert rollup.aggregate(spec(aggregation="mean", weight="W"), rows) == rollup.Cell(25.0, 2)
    flags = [{"X.Y": True}, {"X.Y": False}, {"X.Y": True}, {"X.Y": True}, {}]
    assert rollup.aggregate(spec(aggregation="share", type_="boolean"), flags) == rollup.Cell(
        75.0, 4
    )
    assert rollup.aggregate(spec(), [{}]) == rollup.Cell(None, 0)


def test_drill_down_lists_every_expected_centre_with_its_accepted_value(client, login):
    login("coordinator")
    period = current_period().previous().code
    response = client.get(f"/statmon/{period}/rollup/{LVIV}/SRV.APPLICATIONS/")
    rows = response.context["rows"]
    assert (
        len(rows) == Report.objects.filter(campaign__period=period, centre__region_id=LVIV).count()
    )
    assert sum(row["value"] or 0 for row in rows) == accepted_sum("SRV.APPLICATIONS", region=LVIV)
    assert any(row["value"] is None and row["status"].key != "accepted" for row in rows)


def test_export_is_for_national_and_regional_staff_only(client, login):
    login("centre")
    assert client.get(f"/statmon/{current_period().previous().code}/export.xlsx").status_code == 403
