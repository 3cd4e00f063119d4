"""Every indicator against values computed by hand, from events sent through the real intake.

The fixture: three new centres in a hromada that had none, a service with a 5-working-day
term, a provider per story, and cases in October 2026 with known completions, suspensions,
refusals, channels and ratings; surveys; an accepted quarterly report. Nothing else in the test
world touches these subjects, so their figures are exactly the hand-computed ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from yakist.accounts.enums import Role
from yakist.accounts.services import staff_user_create
from yakist.cases.services import cases_project_pending
from yakist.core.periods import KYIV, Period
from yakist.feedback.models import SurveyResponse
from yakist.indicators.methodology import methodology_load
from yakist.indicators.models import CaseCube, DirtyPeriod, IndicatorResult, RatingResult
from yakist.indicators.services import indicators_compute, indicators_refresh
from yakist.ingest import lookups
from yakist.ingest.tests import support
from yakist.registry.models.reference import Centre, Organisation, Service, ServiceTerm, Territory
from yakist.statmon import selectors as statmon_selectors
from yakist.statmon import services as statmon
from yakist.statmon.models import Report
from yakist.statmon.tests import factories as statmon_factories

pytestmark = pytest.mark.django_db
Q4 = Period(2026, 4)
SHIPPED = Path(settings.BASE_DIR) / "data" / "methodology" / "2025.1.toml"


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
        self.system = support.new_system(
            scope=[
                *(c.code for c in (self.a, self.b, self.c)),
                *(p.code for p in (self.p, self.p_all_promoters, self.p_all_detractors)),
            ]
        )
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
        rated: dt.datetime | None = None,
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
            event("rated", rated or at(28, 12), rating=rating)

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


def report_for(f: Fixture, yes: int, online_yes: int = 7) -> dict:
    """An accepted Q4 report of centre A with `yes` of the OFF items and the first
    `online_yes` ONL items met (the sixth and seventh: a web chat that answers in 5 minutes)."""
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
    online = statmon_selectors.checklist_codes(report.campaign.form, prefixes=("ONL.",))
    for index, code in enumerate(online):
        values[code] = index < online_yes
    statmon_factories.submit(report, admin, values)
    statmon.report_accept(report=report, actor=get_user_model().objects.get(username="ministry"))
    return {
        "off_total": len(off),
        "online_total": len(online),
        "applications": values["SRV.APPLICATIONS"],
    }


# Durations against the term, by hand. Every case is received on Monday 5 October 09:00; the
# 5-working-day term ends on Monday 12 October 23:59:59 (Kyiv). A case suspended from 6 to 14
# October loses 6 working days (6–9, 12, 13 October), so its term ends on 20 October 23:59:59.
HOUR = 3600
TERM = (7 * 24 + 14) * HOUR + 59 * 60 + 59  # 5 Oct 09:00 → 12 Oct 23:59:59
TERM_SUSPENDED = (15 * 24 + 14) * HOUR + 59 * 60 + 59  # 5 Oct 09:00 → 20 Oct 23:59:59
ON_TIME_RATIO = (2 * 24 + 3) * HOUR / TERM  # finished 7 Oct 12:00
LATE_RATIO = (16 * 24 + 3) * HOUR / TERM  # finished 21 Oct 12:00
SUSPENDED_RATIO = (11 * 24 + 3) * HOUR / TERM_SUSPENDED  # finished 16 Oct 12:00


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out from its textbook formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5)
    return centre - half, centre + half


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

    # 30 finished in 2 days, 6 late, 4 on time only because their suspension does not count.
    timeliness = value("timeliness", "centre", "HAND-A")
    assert (timeliness.numerator, timeliness.denominator, timeliness.n) == (34, 40, 40)
    assert timeliness.value == pytest.approx(34 / 40)
    assert (timeliness.ci_low, timeliness.ci_high) == pytest.approx(wilson(34, 40))
    assert (timeliness.ci_low, timeliness.ci_high) == pytest.approx((0.7093, 0.9294), abs=1e-4)
    # Sorted ratios: 30 on time, 4 suspended, 6 late. Median: the 20th/21st (on time);
    # P90 at position 0.9 × 39 = 35.1, between the 36th and 37th (both late).
    assert timeliness.extra["median_ratio"] == pytest.approx(ON_TIME_RATIO, abs=1e-4)
    assert timeliness.extra["p90_ratio"] == pytest.approx(LATE_RATIO, abs=1e-4)
    assert ON_TIME_RATIO < SUSPENDED_RATIO < 1 < LATE_RATIO
    online = value("timeliness", "centre", "HAND-A", breakdown="channel:online")
    assert (online.numerator, online.denominator) == (8, 8)
    offline = value("timeliness", "centre", "HAND-A", breakdown="channel:offline")
    assert (offline.numerator, offline.denominator) == (26, 32)
    # Provider P1: centre A's 40 cases and centre B's 10 (all on time, finished in 2 days).
    provider = value("timeliness", "provider", "HAND-P1")
    assert (provider.numerator, provider.denominator) == (44, 50)
    assert provider.extra["median_ratio"] == pytest.approx(ON_TIME_RATIO, abs=1e-4)
    assert provider.extra["p90_ratio"] == pytest.approx(LATE_RATIO, abs=1e-4)

    assert value("refusal_share", "centre", "HAND-A").value == pytest.approx(5 / 40)
    assert value("refusal_share", "provider", "HAND-P1").value == pytest.approx(5 / 50)
    assert value("online_share", "centre", "HAND-A").value == pytest.approx(8 / 40)
    assert value("online_share", "provider", "HAND-P1").value == pytest.approx(8 / 50)

    satisfaction = value("satisfaction", "centre", "HAND-A")
    assert (satisfaction.numerator, satisfaction.denominator) == (22, 30)
    assert satisfaction.value == pytest.approx(22 / 30)
    assert (satisfaction.ci_low, satisfaction.ci_high) == pytest.approx(wilson(22, 30))
    assert satisfaction.extra["levels"] == {"1": 3, "2": 5, "3": 10, "4": 12}
    assert satisfaction.extra["mean"] == pytest.approx(91 / 30, abs=1e-3)

    # Cases: 26 promoters, 6 detractors of 40; surveys: 20 promoters, 5 detractors of 30.
    assert value("loyalty_index", "centre", "HAND-A").value == pytest.approx(100 * (46 - 11) / 70)
    assert value("loyalty_index", "provider", "HAND-P1").value == pytest.approx(100 * 20 / 40)
    assert value("loyalty_index", "provider", "HAND-P2").value == 100.0  # all promoters
    assert value("loyalty_index", "provider", "HAND-P3").value == -100.0  # all detractors
    loyalty = value("loyalty_index", "centre", "HAND-A")
    assert loyalty.extra == {"promoters": 46, "detractors": 11, "passives": 13}
    assert loyalty.n == 70 and loyalty.ci_low < loyalty.value < loyalty.ci_high
    everyone_loves = value("loyalty_index", "provider", "HAND-P2")
    assert everyone_loves.ci_high == 100.0 and everyone_loves.ci_low < 100.0

    compliance = value("offline_compliance", "centre", "HAND-A")
    assert compliance.value == pytest.approx(15 / report["off_total"])
    assert (compliance.numerator, compliance.n) == (15, 1)  # one accepted report
    online_compliance = value("online_compliance", "centre", "HAND-A")
    assert online_compliance.value == pytest.approx(7 / report["online_total"])
    coverage = value("coverage", "centre", "HAND-A")
    assert coverage.value == pytest.approx(min(40, report["applications"]) / report["applications"])
    assert (coverage.extra["connected"], coverage.extra["silent"]) == (1, 0)
    unreported = value("coverage", "centre", "HAND-C")  # connected, but no accepted report
    assert (unreported.status, unreported.value, unreported.extra["reason"]) == (
        "no_data",
        None,
        "no_report",
    )
    assert value("offline_compliance", "centre", "HAND-C").status == "no_data"

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
    DirtyPeriod.objects.all().delete()  # the test world's first-computation marks
    f = build(client)
    indicators_compute(period=Q4)
    indicators_compute(period=Period(2026))
    assert not DirtyPeriod.objects.exists()
    before = {
        (r.indicator_code, r.subject_type, r.subject_key, r.breakdown): (r.pk, r.value)
        for r in IndicatorResult.objects.filter(period="2026Q4", is_current=True)
    }
    other_periods = set(
        IndicatorResult.objects.exclude(period__in=["2026Q4", "2026"]).values_list(
            "pk", "computed_at"
        )
    )
    cube_before = CaseCube.objects.filter(period="2026Q4").exclude(main_centre_id=f.b.pk).count()
    for i in range(25):  # late events for centre B only: now it has enough cases
        f.case(f"B-late-{i}", f.b, f.p, completed=at(9, 12, month=11), submitted=at(2, 9, month=11))
    f.send()
    marked = set(DirtyPeriod.objects.values_list("subject_type", "subject_key", "period"))
    assert marked == {
        (subject_type, key, period)
        for subject_type, key in (("centre", "HAND-B"), ("provider", "HAND-P1"))
        for period in ("2026Q4", "2026")
    }
    indicators_refresh()
    assert not DirtyPeriod.objects.exists()
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
    assert {(key[1], key[2]) for key in changed} == touched
    assert ("centre", "HAND-A") not in {(key[1], key[2]) for key in changed}
    assert value("timeliness", "centre", "HAND-B").n == 35
    assert (
        CaseCube.objects.filter(period="2026Q4").exclude(main_centre_id=f.b.pk).count()
        == cube_before
    )
    # No other period was touched.
    assert (
        set(
            IndicatorResult.objects.exclude(period__in=["2026Q4", "2026"]).values_list(
                "pk", "computed_at"
            )
        )
        == other_periods
    )


def test_rank_movement_appears_once_the_previous_period_is_ranked(client):
    """Periods computed newest first (backfill) still get their movement."""
    f = build(client)
    indicators_compute(period=Q4)
    q4 = RatingResult.objects.get(subject_key="HAND-P2", period="2026Q4", is_current=True)
    assert q4.rank is not None and q4.movement is None  # nothing ranked it in Q3
    for i in range(30):  # the same provider in September: fast and loved again
        f.case(
            f"C-love-q3-{i}",
            f.c,
            f.p_all_promoters,
            submitted=at(1, 9, month=9),
            completed=at(2, 12, month=9),
            rating=10,
            rated=at(10, 12, month=9),
        )
    f.send()
    indicators_compute(period=Period(2026, 3))
    q3 = RatingResult.objects.get(subject_key="HAND-P2", period="2026Q3", is_current=True)
    q4.refresh_from_db()
    assert q3.rank is not None and q3.peer_group == q4.peer_group
    assert q4.movement == q3.rank - q4.rank


def test_the_api_lists_the_definitions_in_force_on_a_date(client, tmp_path):
    listed = client.get("/api/v1/indicators").json()
    codes = {d["code"] for d in listed}
    assert codes == {
        "offline_compliance",
        "online_compliance",
        "satisfaction",
        "loyalty_index",
        "timeliness",
        "refusal_share",
        "online_share",
        "coverage",
    }
    timeliness = next(d for d in listed if d["code"] == "timeliness")
    assert timeliness["methodology"] == "2025.1" and timeliness["periodicity"] == "yearly"
    assert timeliness["legal_source"] and timeliness["min_sample"] == 30
    assert (timeliness["unit"], timeliness["direction"]) == ("share", "higher_better")
    assert timeliness["name_en"] == "Timeliness" and timeliness["version"] == 1
    assert timeliness["effective_from"] == "2025-01-01"
    assert client.get("/api/v1/indicators", {"at": "2024-06-01"}).json() == []

    # A later methodology: each date lists what was in force on it.
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in (
        ('code = "2025.1"', 'code = "2027.1"'),
        ("effective_from = 2025-01-01", "effective_from = 2027-01-01"),
        ('code = "timeliness"\nversion = 1', 'code = "timeliness"\nversion = 2'),
        ("n(завершено зі строком);", "n(завершено зі строком, крім відкликаних);"),
    ):
        text = text.replace(old, new, 1)
    (tmp_path / "2027.1.toml").write_text(text, encoding="utf-8")
    methodology_load(path=tmp_path / "2027.1.toml")
    old = client.get("/api/v1/indicators", {"at": "2026-06-30"}).json()
    new = client.get("/api/v1/indicators", {"at": "2027-02-01"}).json()
    old_timeliness = next(d for d in old if d["code"] == "timeliness")
    new_timeliness = next(d for d in new if d["code"] == "timeliness")
    assert (old_timeliness["version"], old_timeliness["methodology"]) == (1, "2025.1")
    assert old_timeliness["effective_to"] == "2026-12-31"
    assert (new_timeliness["version"], new_timeliness["methodology"]) == (2, "2027.1")
    assert new_timeliness["effective_from"] == "2027-01-01"


def test_the_api_answers_a_bad_date_with_a_problem_in_ukrainian(client):
    for bad in ("2026-13-45", "вчора", "01.02.2026"):
        response = client.get("/api/v1/indicators", {"at": bad})
        assert response.status_code == 422, bad
        assert response["Content-Type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].endswith("/validation-failed")
        assert problem["title"] == "Дані не пройшли перевірку"
        assert problem["errors"][0]["location"] == "query.at"
        assert "РРРР-ММ-ДД" in problem["errors"][0]["message"]


def test_rating_pages_explain_every_component_and_list_the_unranked_last(client, login):
    f = build(client)
    report_for(f, yes=15)
    indicators_compute(period=Q4)
    login("ministry")
    html = client.get("/analytics/ratings/centre/HAND-A/2026Q4/").content.decode()
    rated = RatingResult.objects.get(subject_key="HAND-A", period="2026Q4", is_current=True)
    assert rated.peer_group == "pop-lt-10k" and "до 10 тис. мешканців" in html
    for component in rated.components:
        assert f"{component['n']}<br>" in html  # the sample behind every component …
        assert f"{component['numerator']:.0f} / {component['denominator']:.0f}" in html
    assert "9–10: 46 · 7–8: 13 · 0–6: 11" in html  # … its raw counts …
    assert "за рівнями 1–4: 1:\u00a03 · 2:\u00a05 · 3:\u00a010 · 4:\u00a012" in html
    assert "мін. 30" in html and "мін. 1" in html  # … and the minimum it had to meet
    assert "85,0\u00a0%" in html  # timeliness 34 / 40, as a percentage
    low, high = wilson(34, 40)
    assert f"{100 * low:.1f}".replace(".", ",") in html
    assert f"{100 * high:.1f}".replace(".", ",") in html

    page = client.get("/analytics/ratings/", {"type": "centre", "period": "2026Q4"})
    group = next(
        items for code, _label, items, _runs in page.context["groups"] if code == "pop-lt-10k"
    )
    ranks = [entry.rank for entry, _name in group]
    keys = [entry.subject_key for entry, _name in group]
    assert ranks[keys.index("HAND-B")] is None and ranks[keys.index("HAND-A")] is not None
    first_unranked = ranks.index(None)
    assert all(rank is None for rank in ranks[first_unranked:])
    assert ranks[:first_unranked] == sorted(ranks[:first_unranked])
