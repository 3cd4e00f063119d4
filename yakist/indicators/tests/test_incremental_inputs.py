"""Quarterly reports and survey answers mark exactly the (subject, period) pairs they feed, and
the incremental refresh changes exactly the figures that depend on them.

The first tests build on the hand fixture (new centres nothing else in the test world touches);
the last ones use the demo world, whose current and previous quarters are computed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yakist.core.periods import KYIV, Period
from yakist.feedback.models import ExternalSurvey
from yakist.feedback.services import external_survey_delete, external_survey_import
from yakist.indicators.dirty_marks import periods_of, periods_of_quarter
from yakist.indicators.models import (
    DirtyPeriod,
    IndicatorDefinition,
    IndicatorResult,
    RatingResult,
)
from yakist.indicators.services import indicators_compute, indicators_refresh
from yakist.indicators.tests.test_hand_fixture import Q4, build, report_for, value
from yakist.registry.models.reference import Centre
from yakist.statmon import selectors as statmon_selectors
from yakist.statmon import services as statmon
from yakist.statmon.models import Report
from yakist.statmon.tests import factories as statmon_factories

pytestmark = pytest.mark.django_db
PERIODS = (Q4.code, "2026")
FIELDS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high", "status")


@pytest.fixture(autouse=True)
def _no_marks_from_the_test_world():
    """The test world's generator leaves first-computation marks for the periods its demo
    step did not compute; these tests watch the marks they make themselves."""
    DirtyPeriod.objects.all().delete()


def computed() -> None:
    indicators_compute(period=Q4)
    indicators_compute(period=Period(2026))
    assert marks() == set()


def figures() -> dict[tuple, tuple]:
    """Every current figure of every period, by what it is a figure of."""
    return {
        (r["period"], r["indicator_code"], r["subject_type"], r["subject_key"], r["breakdown"]): (
            tuple(r[name] for name in FIELDS)
        )
        for r in IndicatorResult.objects.filter(is_current=True).values(
            "period", "indicator_code", "subject_type", "subject_key", "breakdown", *FIELDS
        )
    }


def changed(before: dict, after: dict) -> set[tuple]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def marks() -> set[tuple[str, str, str]]:
    return set(DirtyPeriod.objects.values_list("subject_type", "subject_key", "period"))


def areas(f, key: str) -> set[tuple[str, str]]:
    return {("centre", key), ("hromada", f.hromada.code), ("region", f.region), ("nation", "")}


def test_a_corrected_report_marks_its_centre_and_the_refresh_changes_only_compliance(client):
    f = build(client)
    report_for(f, yes=15)
    computed()
    before = figures()
    rating_before = RatingResult.objects.get(
        subject_type="centre", subject_key="HAND-A", period=Q4.code, is_current=True
    )
    report = Report.objects.select_related("campaign__form", "centre").get(
        campaign__period=Q4.code, centre=f.a
    )
    admin = get_user_model().objects.get(username="hand-admin")
    statmon.report_correction_open(report=report, actor=admin, reason="Помилка в переліку")
    off = statmon_selectors.checklist_codes(report.campaign.form, prefixes=("OFF.",))
    values = dict(report.values)
    values.update({code: index < 5 for index, code in enumerate(off)})
    statmon_factories.submit(report, admin, values)
    assert marks() == set(), "a correction counts only once it is accepted"
    statmon.report_accept(report=report, actor=get_user_model().objects.get(username="ministry"))

    assert marks() == {("centre", "HAND-A", Q4.code), ("centre", "HAND-A", "2026")}
    reports = indicators_refresh()
    assert {r.period for r in reports} == set(PERIODS) and not DirtyPeriod.objects.exists()
    difference = changed(before, figures())
    assert {(key[0], key[1]) for key in difference} == {
        (period, "offline_compliance") for period in PERIODS
    }
    assert {(key[2], key[3]) for key in difference} == areas(f, "HAND-A")
    compliance = value("offline_compliance", "centre", "HAND-A")
    assert compliance.value == pytest.approx(5 / len(off))
    assert value("offline_compliance", "centre", "HAND-A", period="2026").numerator == 5
    rating_after = RatingResult.objects.get(
        subject_type="centre", subject_key="HAND-A", period=Q4.code, is_current=True
    )
    assert rating_after.score < rating_before.score  # 15 → 5 met items


def survey_rows(centre_code: str) -> list[dict]:
    """Thirty answers in October 2026: 21 satisfied (3–4), 9 not; 18 promoters, 6 detractors."""
    rows = []
    for i in range(30):
        rows.append(
            {
                "centre_code": centre_code,
                "score": str(10 if i < 18 else 8 if i < 24 else 3),
                "overall": str(4 if i < 12 else 3 if i < 21 else 2),
                "submitted_at": dt.datetime(2026, 10, 10 + i % 10, 11, tzinfo=KYIV).isoformat(),
            }
        )
    return rows


def _pool_external_answers() -> None:
    """The shipped methodology keeps external assessments apart (`external_surveys =
    "separate"`, tested in improvement/tests/test_satisfaction_rule.py); this test adds answers
    by importing a survey, so it pools them to see them counted."""
    for definition in IndicatorDefinition.objects.filter(
        code__in=["satisfaction", "loyalty_index"]
    ):
        definition.params = {**definition.params, "external_surveys": "pooled"}
        definition.save(update_fields=["params"])


def test_imported_survey_answers_mark_their_centre_and_change_only_satisfaction_and_loyalty(
    client,
):
    f = build(client)
    _pool_external_answers()
    computed()
    before = figures()
    assert value("satisfaction", "centre", "HAND-B").status == "no_data"
    survey = ExternalSurvey(
        name="Телефонне опитування ЦНАП тест",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
    )
    count, errors = external_survey_import(survey=survey, rows=survey_rows("HAND-B"), actor=None)
    assert (count, errors) == (30, [])

    assert marks() == {("centre", "HAND-B", Q4.code), ("centre", "HAND-B", "2026")}
    indicators_refresh()
    assert not DirtyPeriod.objects.exists()
    difference = changed(before, figures())
    assert {(key[0], key[1]) for key in difference} == {
        (period, code) for period in PERIODS for code in ("satisfaction", "loyalty_index")
    }
    assert {(key[2], key[3]) for key in difference} == areas(f, "HAND-B")
    satisfaction = value("satisfaction", "centre", "HAND-B")
    assert (satisfaction.status, satisfaction.numerator, satisfaction.n) == ("ok", 21, 30)
    loyalty = value("loyalty_index", "centre", "HAND-B")
    assert loyalty.value == pytest.approx(100 * (18 - 6) / 30)

    # Deleting the survey (imported by mistake) takes its answers back out the same way.
    external_survey_delete(survey=survey, actor=None)
    assert marks() == {("centre", "HAND-B", Q4.code), ("centre", "HAND-B", "2026")}
    indicators_refresh()
    assert changed(before, figures()) == set()


def test_answers_in_a_period_not_computed_yet_ask_for_its_first_full_computation(client):
    """A partial first computation would show the rest of the country as if it were known:
    the period gets one mark for the whole country, and the refresh computes it whole."""
    f = build(client)
    computed()
    rows = survey_rows(f.b.code)
    rows[0]["submitted_at"] = dt.datetime(2031, 1, 12, 11, tzinfo=KYIV).isoformat()
    survey = ExternalSurvey(
        name="Опитування з датою наперед", period_start=Q4.first_day, period_end=Q4.last_day
    )
    assert external_survey_import(survey=survey, rows=rows, actor=None)[0] == 30
    assert not IndicatorResult.objects.filter(period__in=["2031Q1", "2031"]).exists()
    assert marks() == {
        ("centre", "HAND-B", Q4.code),
        ("centre", "HAND-B", "2026"),
        ("nation", "", "2031Q1"),
        ("nation", "", "2031"),
    }
    indicators_refresh()
    assert marks() == set()
    first = IndicatorResult.objects.filter(period="2031Q1", indicator_code="satisfaction")
    # Every centre of the country has its row (most say "no data"), not only the rated one.
    assert first.filter(subject_type="centre").count() > 100
    assert first.filter(subject_type="centre", subject_key="HAND-B").exists()


def test_a_qr_rating_at_an_access_point_marks_its_main_centre_and_counts_after_refresh(client):
    point = Centre.objects.filter(parent__isnull=False, status="active").order_by("code").first()
    main = point.parent.code
    quarter, year = periods_of(timezone.now())
    assert IndicatorResult.objects.filter(period=quarter).exists()  # the demo computed it
    expected = {
        ("centre", main, code)
        if IndicatorResult.objects.filter(period=code).exists()
        else ("nation", "", code)  # not computed yet: a first, full computation is asked for
        for code in (quarter, year)
    }
    before = value("satisfaction", "centre", main, period=quarter)
    assert marks() == set()
    response = client.post(
        f"/feedback/rate/{point.code}", {"score": "10", "overall": "4"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200
    assert marks() == expected
    indicators_refresh()
    after = value("satisfaction", "centre", main, period=quarter)
    assert (after.denominator, after.numerator) == (
        (before.denominator or 0) + 1,
        (before.numerator or 0) + 1,
    )


def test_bulk_acceptance_marks_every_reporting_centre_in_one_insert():
    quarter = statmon_factories.current_period().previous()
    submitted = Report.objects.filter(campaign__period=quarter.code, status="submitted")
    mains = {
        report.centre.parent.code if report.centre.parent_id else report.centre.code
        for report in submitted.select_related("centre__parent")
    }
    count = submitted.count()
    assert len(mains) >= 2
    expected = {
        ("centre", main, code)
        if IndicatorResult.objects.filter(period=code).exists()
        else ("nation", "", code)  # not computed yet: a first, full computation is asked for
        for main in mains
        for code in periods_of_quarter(quarter.code)
    }
    assert expected  # the demo computed the previous quarter
    ministry = get_user_model().objects.get(username="ministry")
    with CaptureQueriesContext(connection) as queries:
        accepted = statmon.reports_accept_bulk(
            reports=Report.objects.filter(campaign__period=quarter.code), actor=ministry
        )
    assert accepted == count
    assert marks() == expected
    table = DirtyPeriod._meta.db_table
    inserts = [q for q in queries if q["sql"].startswith("INSERT") and table in q["sql"]]
    assert len(inserts) == 1
