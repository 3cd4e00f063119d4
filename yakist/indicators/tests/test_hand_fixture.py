"""Every indicator against values computed by hand, from events sent through the real intake.

The fixture: three new centres in a hromada that had none, a service with a 5-working-day
term, a provider per story, and cases in October 2026 with known completions, suspensions,
refusals, channels and ratings; surveys; an accepted quarterly report. Nothing else in the test
world touches these subjects, so their figures are exactly the hand-computed ones.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model

from yakist.accounts.models import Role
from yakist.accounts.services import staff_user_create
from yakist.cases.services import cases_project_pending
from yakist.core.periods import KYIV, Period
from yakist.feedback.models import SurveyResponse
from yakist.indicators.models import CaseCube, IndicatorResult, RatingResult
from yakist.indicators.services import indicators_compute, indicators_refresh
from yakist.ingest import lookups
from yakist.ingest.tests import support
from yakist.registry.models import Centre, Organisation, Service, ServiceTerm, Territory
from yakist.statmon import selectors as statmon_selectors
from yakist.statmon import services as statmon
from yakist.statmon.models import Report
from yakist.statmon.tests import factories as statmon_factories

pytestmark = pytest.mark.django_db
Q4 = Period(2026, 4)


def at(day: int, hour: int = 10, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=KYIV)


class Fixture:
    def __init__(self, client) -> None:
        self.client = client
        hromada = (
            Territory.objects.filter(category="H", occupied=False)
            .exclude(code__in=Centre.objects.values("hromada_id"))
            .order_by("code")
            .first()
        )
        settlement = Territory.objects.filter(hromada=hromada).exclude(code=hromada.code).first()
        self.hromada, self.region = hromada, hromada.region_id

        def centre(suffix: str, population: int) -> Centre:
            return Centre.objects.create(
                code=f"HAND-{suffix}",
                name=f"ЦНАП тест {suffix}",
                kind="centre",
                territory=settlement,
                hromada=hromada,
                region_id=self.region,
                population_served=population,
                status="active",
                working_hours="Пн–Пт 08:00–17:00, без перерви; Ср до 20:00",
            )

        self.a, self.b, self.c = centre("A", 5000), centre("B", 5000), centre("C", 5000)
        parent = Organisation.objects.filter(kind="provider", parent__isnull=True).first()

        def provider(suffix: str) -> Organisation:
            return Organisation.objects.create(
                code=f"HAND-P{suffix}",
                kind="provider",
                name=f"Тестовий суб'єкт {suffix}",
                parent=parent,
                region_id=self.region,
            )

        self.p, self.p_all_promoters, self.p_all_detractors = (
            provider("1"),
            provider("2"),
            provider("3"),
        )
        self.service = Service.objects.create(code="HAND-S", name="Тестова послуга")
        ServiceTerm.objects.create(
            service=self.service, value=5, unit="working_days", effective_from=dt.date(2020, 1, 1)
        )
        self.system = support.new_system(scope=[c.code for c in (self.a, self.b, self.c)])
        lookups.lookups_clear()
        self.events: list[dict] = []

    def case(
        self,
        case_id: str,
        centre: Centre,
        provider: Organisation,
        *,
        channel="offline",
        completed: dt.datetime | None = None,
        outcome: str = "issued",
        suspended: tuple | None = None,
        rating: int | None = None,
        submitted: dt.datetime | None = None,
    ) -> None:
        submitted = submitted or at(5, 9)

        def event(kind: str, when: dt.datetime, **fields) -> None:
            self.events.append(
                {
                    "event_id": str(uuid.uuid4()),
                    "case_id": case_id,
                    "type": kind,
                    "occurred_at": when.isoformat(),
                    "service_code": self.service.code,
                    "centre_code": centre.code,
                    "provider_code": provider.code,
                    "channel": channel,
                    **fields,
                }
            )

        event("submitted", submitted)
        event("registered", submitted + dt.timedelta(minutes=10))
        if suspended:
            event("suspended", suspended[0], reason="Запит додаткових документів")
            event("resumed", suspended[1])
        if completed:
            event("completed", completed)
            event(outcome, completed + dt.timedelta(days=1))
        if rating is not None:
            event("rated", at(28, 12), rating=rating)

    def send(self) -> None:
        for start in range(0, len(self.events), 500):
            response = support.post_events(
                self.client, self.system, self.events[start : start + 500]
            )
            assert response.status_code == 202, response.content
            assert response.json()["rejected"] == []
        self.events = []
        while cases_project_pending()[0]:
            pass


def build(client) -> Fixture:
    f = Fixture(client)
    for i in range(40):  # centre A, provider P
        kwargs = {"channel": "online" if i < 8 else "offline"}
        if i < 30:
            kwargs["completed"] = at(7, 12)
        elif i < 36:
            kwargs["completed"] = at(21, 12)  # late: the term ended on 12 October
        else:  # on time only because the suspension does not count
            kwargs["suspended"] = (at(6), at(14))
            kwargs["completed"] = at(16, 12)
        if i < 5:
            kwargs["outcome"] = "refused"
        kwargs["rating"] = 10 if i < 20 else 9 if i < 26 else 8 if i < 34 else 3
        f.case(f"A-{i}", f.a, f.p, **kwargs)
    for i in range(10):  # centre B: too few for any share
        f.case(f"B-{i}", f.b, f.p, completed=at(7, 12))
    for i in range(30):  # centre C: one provider everyone loves, one nobody does
        f.case(f"C-love-{i}", f.c, f.p_all_promoters, completed=at(7, 12), rating=10 - i % 2)
        f.case(f"C-hate-{i}", f.c, f.p_all_detractors, completed=at(7, 12), rating=i % 7)
    f.send()
    surveys = (
        [(10, 4)] * 12
        + [(10, 3)] * 3
        + [(9, 3)] * 5
        + [(7, 3)] * 2
        + [(7, 2)] * 3
        + [(2, 2)] * 2
        + [(2, 1)] * 3
    )
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                centre=f.a,
                main_centre=f.a,
                region_id=f.region,
                source="qr",
                score=score,
                overall=overall,
                submitted_at=dt.datetime(2026, 10, 20, 12, tzinfo=KYIV),
            )
            for score, overall in surveys
        ]
    )
    return f


def report_for(f: Fixture, yes: int) -> dict:
    """An accepted Q4 report of centre A with `yes` of the OFF items met."""
    statmon.campaign_open(period=Q4)
    report = Report.objects.select_related("campaign__form", "centre").get(
        campaign__period=Q4.code, centre=f.a
    )
    admin = staff_user_create(
        username="hand-admin", password="p" * 12, role=Role.CENTRE_ADMIN, centre=f.a
    )
    values = statmon_factories.valid_values(report)
    off = statmon_selectors.checklist_codes(report.campaign.form, prefixes=("OFF.",))
    for index, code in enumerate(off):
        values[code] = index < yes
    statmon_factories.submit(report, admin, values)
    statmon.report_accept(report=report, actor=get_user_model().objects.get(username="ministry"))
    return {"off_total": len(off), "applications": values["SRV.APPLICATIONS"]}


def value(code: str, subject_type: str, key: str, period: str = "2026Q4", breakdown: str = ""):
    return IndicatorResult.objects.get(
        indicator_code=code,
        subject_type=subject_type,
        subject_key=key,
        period=period,
        breakdown=breakdown,
        is_current=True,
    )


def test_every_indicator_equals_the_hand_computed_value(client):
    f = build(client)
    report = report_for(f, yes=15)
    indicators_compute(period=Q4)

    timeliness = value("timeliness", "centre", "HAND-A")
    assert (timeliness.numerator, timeliness.denominator, timeliness.n) == (34, 40, 40)
    assert timeliness.value == pytest.approx(34 / 40)
    assert timeliness.ci_low < 0.85 < timeliness.ci_high
    assert timeliness.extra["median_ratio"] < 1 < timeliness.extra["p90_ratio"]
    online = value("timeliness", "centre", "HAND-A", breakdown="channel:online")
    assert (online.numerator, online.denominator) == (8, 8)

    assert value("refusal_share", "centre", "HAND-A").value == pytest.approx(5 / 40)
    assert value("online_share", "centre", "HAND-A").value == pytest.approx(8 / 40)

    satisfaction = value("satisfaction", "centre", "HAND-A")
    assert (satisfaction.numerator, satisfaction.denominator) == (22, 30)
    assert satisfaction.extra["levels"] == {"1": 3, "2": 5, "3": 10, "4": 12}
    assert satisfaction.extra["mean"] == pytest.approx(91 / 30, abs=1e-3)

    # Cases: 26 promoters, 6 detractors of 40; surveys: 20 promoters, 5 detractors of 30.
    assert value("loyalty_index", "centre", "HAND-A").value == pytest.approx(100 * (46 - 11) / 70)
    assert value("loyalty_index", "provider", "HAND-P1").value == pytest.approx(100 * 20 / 40)
    assert value("loyalty_index", "provider", "HAND-P2").value == 100.0  # all promoters
    assert value("loyalty_index", "provider", "HAND-P3").value == -100.0  # all detractors

    compliance = value("offline_compliance", "centre", "HAND-A")
    assert compliance.value == pytest.approx(15 / report["off_total"])
    coverage = value("coverage", "centre", "HAND-A")
    assert coverage.value == pytest.approx(min(40, report["applications"]) / report["applications"])

    too_few = value("timeliness", "centre", "HAND-B")
    assert (too_few.status, too_few.value, too_few.n) == ("insufficient", None, 10)
    hromada = value("timeliness", "hromada", f.hromada.code)
    assert (hromada.numerator, hromada.denominator) == (34 + 10 + 60, 40 + 10 + 60)

    rated = RatingResult.objects.get(
        subject_type="centre", subject_key="HAND-A", is_current=True, period="2026Q4"
    )
    expected = (
        0.35 * 85
        + 0.30 * 100 * 15 / report["off_total"]
        + 0.20 * 100 * 22 / 30
        + 0.15 * (100 * 35 / 70 + 100) / 2
    )
    assert rated.status == "ok" and rated.rank is not None
    assert rated.score == pytest.approx(expected, abs=0.01)
    assert {c["indicator"] for c in rated.components} == {
        "timeliness",
        "offline_compliance",
        "satisfaction",
        "loyalty_index",
    }
    unranked = RatingResult.objects.get(
        subject_type="centre", subject_key="HAND-B", is_current=True, period="2026Q4"
    )
    assert (unranked.status, unranked.rank, unranked.score) == ("insufficient", None, None)


def test_incremental_update_changes_exactly_the_affected_subjects(client):
    f = build(client)
    indicators_compute(period=Q4)
    before = {
        (r.indicator_code, r.subject_type, r.subject_key, r.breakdown): (r.pk, r.value)
        for r in IndicatorResult.objects.filter(period="2026Q4", is_current=True)
    }
    cube_before = CaseCube.objects.filter(period="2026Q4").exclude(main_centre_id=f.b.pk).count()
    for i in range(25):  # late events for centre B only: now it has enough cases
        f.case(f"B-late-{i}", f.b, f.p, completed=at(9, 12, month=11), submitted=at(2, 9, month=11))
    f.send()
    indicators_refresh()
    after = {
        (r.indicator_code, r.subject_type, r.subject_key, r.breakdown): (r.pk, r.value)
        for r in IndicatorResult.objects.filter(period="2026Q4", is_current=True)
    }
    changed = {key for key in after if before.get(key) != after[key]}
    touched = {
        ("centre", "HAND-B"),
        ("provider", "HAND-P1"),
        ("hromada", f.hromada.code),
        ("region", f.region),
        ("nation", ""),
    }
    assert changed, "the new events changed nothing"
    assert {(key[1], key[2]) for key in changed} <= touched
    assert ("centre", "HAND-A") not in {(key[1], key[2]) for key in changed}
    assert value("timeliness", "centre", "HAND-B").n == 35
    assert (
        CaseCube.objects.filter(period="2026Q4").exclude(main_centre_id=f.b.pk).count()
        == cube_before
    )


def test_the_api_lists_the_definitions_in_force_on_a_date(client):
    listed = client.get("/api/v1/indicators").json()
    codes = {d["code"] for d in listed}
    assert {"timeliness", "loyalty_index", "offline_compliance", "coverage"} <= codes
    timeliness = next(d for d in listed if d["code"] == "timeliness")
    assert timeliness["methodology"] == "2025.1" and timeliness["periodicity"] == "yearly"
    assert timeliness["legal_source"] and timeliness["min_sample"] == 30
    assert client.get("/api/v1/indicators", {"at": "2024-06-01"}).json() == []
