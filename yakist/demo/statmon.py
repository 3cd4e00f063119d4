"""Demo step of static monitoring: the catalogue, two past quarters, the current one open.

Values are synthetic but internally consistent (every catalogue check holds; answers Yakist
knows from the registry match it) and scale with the population a centre serves. Past
quarters are computed from today's date: a few reports were returned, some came late, a few
never came. The history is written with bulk inserts (not through the services, which would
take minutes); the services' own behaviour is covered by tests.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery

from yakist.core.periods import KYIV, Period
from yakist.demo.runner import DemoContext
from yakist.registry.models.reference import Centre
from yakist.statmon import prefill, services
from yakist.statmon.catalogue import FormSpec, form_load, form_spec
from yakist.statmon.models import (
    Campaign,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
)
from yakist.statmon.selectors import today_kyiv
from yakist.statmon.signals import reports_accepted

CATALOGUE = settings.BASE_DIR / "data" / "statmon" / "form-v1.yaml"
LVIV = "UA46000000000026241"
SEASON = {1: 0.92, 2: 1.0, 3: 1.06, 4: 1.02}
KIND_SHARES = {
    "SRV.K_RESIDENCE": 0.16,
    "SRV.K_PASSPORT": 0.14,
    "SRV.K_CIVIL": 0.07,
    "SRV.K_PROPERTY": 0.09,
    "SRV.K_BUSINESS": 0.05,
    "SRV.K_LAND": 0.06,
    "SRV.K_SOCIAL": 0.15,
    "SRV.K_PENSION": 0.05,
    "SRV.K_VETERANS": 0.04,
    "SRV.K_CONSTRUCTION": 0.03,
    "SRV.K_TRANSPORT": 0.03,
    "SRV.K_PERMITS": 0.02,
    "SRV.K_LOCAL": 0.07,
    "SRV.K_OTHER": 0.02,
}
CHANNEL_SHARES = {
    "CNS.IN_PERSON": 0.5,
    "CNS.PHONE": 0.3,
    "CNS.EMAIL": 0.06,
    "CNS.MESSENGERS": 0.05,
    "CNS.CHAT": 0.03,
    "CNS.VIDEO": 0.01,
    "CNS.SOCIAL": 0.02,
}
REGISTERS = {
    "REG.EDR": 0.9,
    "REG.DRRP": 0.9,
    "REG.DZK": 0.7,
    "REG.DRATSS": 0.85,
    "REG.EDDR": 0.75,
    "REG.RTG": 0.95,
    "REG.EISSS": 0.8,
    "REG.PFU": 0.7,
    "REG.DIIA": 0.95,
    "REG.MVS": 0.3,
    "REG.VETERANS": 0.6,
    "REG.TREMBITA": 0.5,
    "REG.SEV_OVV": 0.6,
}
RETURN_COMMENTS = [
    "Поясніть різку зміну надходжень адміністративного збору (SRV.FEES) порівняно з минулим "
    "кварталом.",
    "Кількість працівників у відпустці виглядає завищеною; перевірте розділ «Персонал».",
    "Уточніть кількість консультацій телефоном — вона не узгоджується з журналом дзвінків.",
]
FLOW_NOTE = "Зростання пов'язане з відкриттям нового напряму послуг і сезонним попитом."


def quarters(ctx: DemoContext) -> str:
    result = form_load(content=CATALOGUE.read_bytes(), file_name=CATALOGUE.name)
    today = today_kyiv()
    current = Period.quarter_of(today)
    past = [current.previous().previous(), current.previous()]
    form = form_spec(result.form)
    summary = []
    with transaction.atomic():
        for index, period in enumerate(past):
            if Campaign.objects.filter(period=period.code).exists():
                continue
            campaign = Campaign.objects.create(
                period=period.code,
                form=result.form,
                deadline=period.last_day + dt.timedelta(days=settings.STATMON_DEADLINE_DAYS),
            )
            counts = _fill(ctx, campaign, period, form, today, final=index == 0)
            summary.append(f"{period.code}: {counts}")
        campaign, _created = services.campaign_open(period=current)
        summary.append(f"{current.code}: відкрито, очікується {campaign.reports.count()}")
    return (
        f"Квартальна звітність: форма v{result.form.version} ({len(form.indicators)} показників); "
        + "; ".join(summary)
    )


def _fill(
    ctx: DemoContext, campaign: Campaign, period: Period, form: FormSpec, today, *, final: bool
) -> str:
    rng = ctx.rng(f"statmon:{period.code}")
    expected = services.expected_centres(campaign.form.reporting_kinds, period)
    centres = list(expected.select_related("parent").order_by("code"))
    partial = set(expected.filter(services.part_of_quarter(period)).values_list("pk", flat=True))
    facts = prefill.sources()["registry"].provide(centres, period)
    # The demo world is one world: a connected centre reports what its system sent (and the
    # few cases it missed), and the others report at the same rate per resident.
    dynamic = prefill.sources()["cases"].provide(centres, period)
    density = _density(centres, dynamic)
    users = {
        u.username: u
        for u in get_user_model()
        .objects.select_related("staff_profile")
        .filter(username__in=["centre", "coordinator"])
    }
    demo_centre = users["centre"].staff_profile.centre_id if "centre" in users else None
    previous = _previous_values(period)
    reports, plans = [], []
    for centre in ctx.track(centres, total=len(centres), description=f"Звіти {period.code}"):
        plan = _plan(rng, centre, final=final, demo_centre=demo_centre)
        _timeline(rng, plan, campaign, period, today)
        values = _values(
            form,
            centre,
            facts.get(centre.pk, {}),
            period,
            ctx,
            dynamic=dynamic.get(centre.pk),
            density=density,
        )
        note = {}
        fees_before = previous.get(centre.pk, {}).get("SRV.FEES")
        if plan["anomaly"] and fees_before and "SRV.FEES" in values:
            values["SRV.FEES"] = round(fees_before * 3.5, 1)
            note = {"SRV.FEES": FLOW_NOTE}
        if plan["outcome"] == "not_started":
            values = {}
        elif plan["outcome"] == "draft":
            values = dict(list(values.items())[: len(values) // 2])
        plan["note"] = note
        submitted = plan.get("submitted")
        reports.append(
            Report(
                campaign=campaign,
                centre=centre,
                status=plan["status"],
                part_of_quarter=centre.pk in partial,
                values=values,
                comments=note,
                draft_version=1 if values else 0,
                review_comment=plan.get("comment", ""),
                first_submitted_at=plan.get("first_submitted"),
                submitted_at=submitted,
                updated_at=plan.get("saved"),
            )
        )
        plans.append(plan)
    Report.objects.bulk_create(reports, batch_size=500)
    versions, events = _history(campaign, reports, plans, users)
    ReportVersion.objects.bulk_create(versions, batch_size=500)
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    accepted = ReportVersion.objects.filter(
        report=OuterRef("pk"), outcome=ReportVersion.Outcome.ACCEPTED
    ).order_by("-number")
    campaign.reports.filter(status__in=[ReportStatus.ACCEPTED, ReportStatus.LOCKED]).update(
        accepted_version=Subquery(accepted.values("pk")[:1])
    )
    reports_accepted.send(
        sender=Report,
        reports=list(
            campaign.reports.exclude(accepted_version=None).values_list(
                "centre_id", "campaign__period"
            )
        ),
    )
    if final:
        campaign.status = Campaign.State.CLOSED
        campaign.closed_at = _moment(campaign.deadline + dt.timedelta(days=25), 10)
        campaign.save(update_fields=["status", "closed_at"])
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        counts[report.status] += 1
    return ", ".join(f"{ReportStatus(k).label} {v}" for k, v in sorted(counts.items()))


def _previous_values(period: Period) -> dict[int, dict[str, Any]]:
    rows = Report.objects.filter(campaign__period=period.previous().code).exclude(
        accepted_version=None
    )
    return dict(rows.values_list("centre_id", "accepted_version__values"))


def _plan(rng: random.Random, centre: Centre, *, final: bool, demo_centre: int | None) -> dict:
    """What happened to this report: outcome, lateness, a return on the way."""
    roll, late = rng.random(), rng.random() < 0.08
    if final:  # the older quarter: closed, nearly everything accepted
        if roll < 0.03:
            return {"outcome": "not_started", "status": ReportStatus.NOT_STARTED, "anomaly": False}
        return {
            "outcome": "accepted",
            "status": ReportStatus.LOCKED,
            "late": late,
            "returned_once": roll < 0.06,
            "anomaly": False,
        }
    if centre.pk == demo_centre:
        return {
            "outcome": "returned",
            "status": ReportStatus.RETURNED,
            "anomaly": True,
            "comment": RETURN_COMMENTS[0],
        }
    if (centre.region_id == LVIV and rng.random() < 0.25) or roll < 0.03:
        return {
            "outcome": "submitted",
            "status": ReportStatus.SUBMITTED,
            "late": late,
            "anomaly": rng.random() < 0.3,
        }
    if roll < 0.07:
        return {
            "outcome": "returned",
            "status": ReportStatus.RETURNED,
            "late": late,
            "anomaly": True,
            "comment": rng.choice(RETURN_COMMENTS),
        }
    if roll < 0.09:
        return {"outcome": "draft", "status": ReportStatus.DRAFT, "anomaly": False}
    if roll < 0.12:
        return {"outcome": "not_started", "status": ReportStatus.NOT_STARTED, "anomaly": False}
    return {
        "outcome": "accepted",
        "status": ReportStatus.ACCEPTED,
        "late": late,
        "returned_once": roll < 0.16,
        "anomaly": roll > 0.97,
    }


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=KYIV).astimezone(dt.UTC)


def _timeline(rng, plan: dict, campaign: Campaign, period: Period, today: dt.date) -> None:
    """Dates of each step: drafts after the quarter, submissions up to the deadline (late ones
    after it), reviews a few days later — never in the future."""
    if plan["outcome"] == "not_started":
        return
    first_day = period.last_day + dt.timedelta(days=1)
    day = first_day + dt.timedelta(days=rng.randint(0, (campaign.deadline - first_day).days))
    if plan.get("late"):
        day = campaign.deadline + dt.timedelta(days=rng.randint(1, 20))
    day = min(day, today - dt.timedelta(days=1))
    submitted = _moment(day, rng.randint(9, 17))
    plan["saved"] = submitted - dt.timedelta(days=2)
    if plan["outcome"] == "draft":
        return
    steps = [submitted]
    if plan.get("returned_once"):
        returned = submitted + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
        steps += [returned, returned + dt.timedelta(days=rng.randint(1, 3))]
    steps.append(steps[-1] + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 5)))
    plan["steps"] = steps
    plan["first_submitted"] = submitted
    plan["submitted"] = steps[-2]


def _history(campaign: Campaign, reports: list[Report], plans: list[dict], users: dict):
    versions: list[ReportVersion] = []
    events: list[ReportEvent] = []
    coordinator, centre_user = users.get("coordinator"), users.get("centre")
    own_centre = centre_user.staff_profile.centre_id if centre_user else None
    for report, plan in zip(reports, plans, strict=True):
        if plan["outcome"] == "not_started":
            continue
        author = centre_user if report.centre_id == own_centre else None
        reviewer = coordinator if coordinator and report.centre.region_id == LVIV else None
        steps = _Steps(campaign, report, plan, author, reviewer)
        steps.write()
        versions.extend(steps.versions)
        events.extend(steps.events)
    return versions, events


class _Steps:
    """One report's generated history: its events and submitted versions."""

    def __init__(self, campaign: Campaign, report: Report, plan: dict, author, reviewer) -> None:
        self.campaign, self.report, self.plan = campaign, report, plan
        self.author, self.reviewer = author, reviewer
        self.author_name = author.username if author else "адміністратор ЦНАП (демо)"
        self.reviewer_name = reviewer.username if reviewer else "координатор ОДА (демо)"
        self.versions: list[ReportVersion] = []
        self.events: list[ReportEvent] = []

    def event(self, at, action, before, after, number=None, comment="", *, by_centre=True):
        self.events.append(
            ReportEvent(
                report=self.report,
                at=at,
                actor=self.author if by_centre else self.reviewer,
                actor_name=self.author_name if by_centre else self.reviewer_name,
                action=action,
                from_status=before,
                to_status=after,
                version_number=number,
                comment=comment,
            )
        )

    def version(self, number, outcome, submitted, reviewed) -> None:
        note = self.plan["note"]
        self.versions.append(
            ReportVersion(
                report=self.report,
                number=number,
                form=self.campaign.form,
                values=self.report.values,
                comments=dict(note),
                findings=[_change_finding(code) for code in note],
                outcome=outcome,
                submitted_at=submitted,
                submitted_by=self.author,
                submitted_by_name=self.author_name,
                reviewed_at=reviewed,
                reviewed_by=self.reviewer if reviewed else None,
                reviewed_by_name=self.reviewer_name if reviewed else "",
            )
        )

    def write(self) -> None:
        plan, status, outcome = self.plan, ReportStatus, ReportVersion.Outcome
        self.event(plan["saved"], "save", status.NOT_STARTED, status.DRAFT)
        if plan["outcome"] == "draft":
            return
        steps, number = plan["steps"], 1
        if plan.get("returned_once"):
            self.version(1, outcome.RETURNED, steps[0], steps[1])
            self.event(steps[0], "submit", status.DRAFT, status.SUBMITTED, 1)
            self.event(
                steps[1], "return", status.SUBMITTED, status.RETURNED, 1, RETURN_COMMENTS[1],
                by_centre=False,
            )  # fmt: skip
            number = 2
        submitted, reviewed = steps[-2], steps[-1]
        before = status.RETURNED if number == 2 else status.DRAFT
        self.event(submitted, "submit", before, status.SUBMITTED, number)
        if plan["outcome"] == "submitted":
            self.version(number, outcome.PENDING, submitted, None)
        elif plan["outcome"] == "returned":
            self.version(number, outcome.RETURNED, submitted, reviewed)
            self.event(
                reviewed, "return", status.SUBMITTED, status.RETURNED, number,
                self.report.review_comment, by_centre=False,
            )  # fmt: skip
        else:
            self.version(number, outcome.ACCEPTED, submitted, reviewed)
            self.event(
                reviewed, "accept", status.SUBMITTED, status.ACCEPTED, number, by_centre=False
            )
            if self.report.status == status.LOCKED:
                lock_at = _moment(self.campaign.deadline + dt.timedelta(days=25), 10)
                self.events.append(
                    ReportEvent(
                        report=self.report,
                        at=lock_at,
                        actor_name="system",
                        action="lock",
                        from_status=status.ACCEPTED,
                        to_status=status.LOCKED,
                    )
                )


def _change_finding(code: str) -> dict[str, str]:
    return {
        "code": code,
        "rule": "change",
        "severity": "warning",
        "message": "Значення змінилося більш ніж у 3 раз(и) порівняно з минулим кварталом.",
        "fix": "Перевірте значення; якщо воно правильне — поясніть причину в коментарі.",
    }


# --- Values -------------------------------------------------------------------------------


def _density(centres: list[Centre], dynamic: dict[int, dict[str, int]]) -> float:
    """Applications per 1,000 residents per quarter among centres whose cases are streamed."""
    population = sum(c.population_served or 0 for c in centres if dynamic.get(c.pk))
    applications = sum(f.get("applications", 0) for f in dynamic.values())
    return 1000 * applications / population if population else 40.0


def _values(
    form: FormSpec,
    centre: Centre,
    facts: dict[str, Any],
    period: Period,
    ctx: DemoContext,
    *,
    dynamic: dict[str, int] | None = None,
    density: float = 40.0,
) -> dict[str, Any]:
    """One unit's answers. A per-centre generator keeps stable answers (premises, registers,
    checklists) identical across quarters, while flows vary a little with the season."""
    stable = random.Random(f"{ctx.seed}:statmon:{centre.code}")
    flow = random.Random(f"{ctx.seed}:statmon:{centre.code}:{period.code}")
    kind = centre.kind
    applicable = form.applicable_codes(kind)
    v: dict[str, Any] = {}
    population = centre.population_served or 3000
    quality = stable.uniform(0.55, 0.97)
    season = SEASON[period.quarter] * flow.uniform(0.9, 1.1)

    def yes(p: float) -> bool:
        return stable.random() < p

    def scaled(per_thousand: float) -> int:
        return int(population / 1000 * per_thousand * season)

    def ratio(low: float, high: float) -> float:
        """A centre's own share, steady across quarters up to a little noise."""
        return stable.uniform(low, high) * flow.uniform(0.93, 1.07)

    def count(low: int, high: int) -> int:
        return int(stable.uniform(low, high) * flow.uniform(0.9, 1.1))

    # General and registry-known facts: exactly what the registry says.
    v["GEN.POPULATION"] = facts.get("population_served")
    for code, fact in (
        ("GEN.SUBDIVISIONS", "subdivisions"),
        ("GEN.REMOTE_WP", "remote_workplaces"),
        ("GEN.MOBILE", "mobile_units"),
    ):
        v[code] = facts.get(fact)
    days_per_week = facts.get("days_per_week") or 5
    v["GEN.DAYS_SCHEDULED"] = min(92, 13 * days_per_week - flow.randint(0, 2))
    v["GEN.DAYS_CLOSED"] = flow.choice([0, 0, 0, 1, 2, 4])
    v["GEN.DAYS_OPEN"] = v["GEN.DAYS_SCHEDULED"] - v["GEN.DAYS_CLOSED"]
    v["GEN.OUTAGE_HOURS"] = count(0, 90)
    v["GEN.BACKUP_POWER"] = yes(0.8)
    v["GEN.RESILIENCE_POINT"] = yes(0.35)
    v["GEN.INFO_SYSTEM"] = stable.choices(
        ["vulyk", "own", "other", "none"], [0.7, 0.15, 0.1, 0.05]
    )[0]

    # Staff.
    if kind == Centre.Kind.CENTRE:
        admins = max(2, min(60, round(population / 5000 * stable.uniform(0.7, 1.3))))
        registrars = max(1, admins // 4)
        social = max(1, admins // 5)
        other = max(1, admins // 6)
    elif kind == Centre.Kind.SUBDIVISION:
        admins, registrars, social, other = stable.randint(1, 3), 1, stable.randint(0, 1), 0
    else:
        admins, registrars, social, other = 1, 0, 0, 0
    total = admins + registrars + social + other
    v.update(
        {
            "STF.ADMINS": admins,
            "STF.REGISTRARS": registrars,
            "STF.SOCIAL": social,
            "STF.OTHER": other,
            "STF.TOTAL": total,
        }
    )
    v["STF.VACANCIES"] = stable.randint(0, max(0, total // 5))
    v["STF.POSITIONS"] = total + v["STF.VACANCIES"]
    v["STF.ON_LEAVE"] = min(total, count(0, total // 8))
    v["STF.MOBILISED"] = stable.randint(0, total // 10)
    v["STF.HIRED"] = count(0, 1 + total // 15)
    v["STF.DISMISSED"] = count(0, 1 + total // 20)
    v["STF.TRAINED"] = min(total, count(0, total))
    v["STF.DIIA_EDU"] = stable.randint(total // 2, total)
    v["STF.SIGN_LANGUAGE"] = min(total, stable.choice([0, 0, 1]))
    v["STF.ENGLISH"] = stable.randint(0, total // 2)
    v["STF.QES"] = stable.randint(total // 2, total)
    v["STF.AVG_SALARY"] = int(stable.uniform(14000, 24000))

    # Services and visitors.
    if dynamic and dynamic.get("applications"):
        missed = stable.uniform(1.0, 1.12)  # cases entered by hand, never streamed
        applications = round(dynamic["applications"] * missed)
        v["SRV.APPLICATIONS"] = applications
        v["SRV.RESULTS"] = round(dynamic["results"] * missed)
        v["SRV.REFUSALS"] = min(v["SRV.RESULTS"], round(dynamic["refusals"] * missed))
        v["SRV.OVERDUE"] = min(v["SRV.RESULTS"], round(dynamic["overdue"] * missed))
        v["SRV.ONLINE"] = min(applications, round(dynamic["applications_online"] * missed))
        kinds = {
            code: int(dynamic.get("kind_" + code.split("K_")[1].lower(), 0) * missed)
            for code in KIND_SHARES
            if code in applicable
        }
    else:
        applications = max(
            1, round(population / 1000 * density * season * stable.uniform(0.8, 1.2))
        )
        v["SRV.APPLICATIONS"] = applications
        v["SRV.RESULTS"] = int(applications * min(0.99, ratio(0.85, 0.98)))
        v["SRV.REFUSALS"] = int(v["SRV.RESULTS"] * ratio(0.01, 0.05))
        v["SRV.OVERDUE"] = int(v["SRV.RESULTS"] * ratio(0.0, 0.03))
        v["SRV.ONLINE"] = int(applications * ratio(0.05, 0.25))
        shares = {code: share for code, share in KIND_SHARES.items() if code in applicable}
        norm = sum(shares.values()) or 1
        spread = min(0.99, ratio(0.9, 0.99))
        kinds = {
            code: int(applications * spread * share / norm * min(1.0, ratio(0.8, 1.0)))
            for code, share in shares.items()
        }
    v["SRV.EXTERRITORIAL"] = int(applications * ratio(0.02, 0.15))
    v["SRV.PAID"] = int(applications * ratio(0.2, 0.4))
    v["SRV.FEES"] = round(v["SRV.PAID"] * ratio(0.1, 0.2), 1)
    v["SRV.COMPLEX"] = int(applications * ratio(0.005, 0.02))
    v.update(kinds)
    v["SRV.LIST_TOTAL"] = stable.randint(80, 250)
    v["SRV.LIST_OWN"] = int(v["SRV.LIST_TOTAL"] * stable.uniform(0.2, 0.4))
    v["SRV.LIST_STATE"] = int(v["SRV.LIST_TOTAL"] * stable.uniform(0.4, 0.6))
    v["SRV.VISITORS"] = int(applications * ratio(1.1, 1.5))
    v["SRV.BOOKED"] = int(v["SRV.VISITORS"] * ratio(0.05, 0.3))
    v["SRV.WAIT_AVG"] = round(ratio(3, 25), 1)
    v["SRV.WAIT_MAX"] = round(v["SRV.WAIT_AVG"] * ratio(2, 5), 1)
    v["SRV.SERVICE_AVG"] = round(ratio(8, 25), 1)

    # Consultations by channel (parts never exceed the total).
    v["CNS.TOTAL"] = int(applications * ratio(0.5, 1.0))
    channels = {code: share for code, share in CHANNEL_SHARES.items() if code in applicable}
    norm = sum(channels.values()) or 1
    for code, share in channels.items():
        v[code] = int(v["CNS.TOTAL"] * share / norm * min(1.0, ratio(0.85, 1.0)))
    v["CNS.INTERPRETER"] = min(v["CNS.TOTAL"], count(0, 3))
    v["CNS.HOTLINE"] = yes(0.6)
    v["CNS.PHONE_LINES"] = stable.randint(1, 4)
    v["CNS.CALLBACK"] = yes(0.3)
    v["CNS.EMAIL_HOURS"] = round(ratio(2, 48), 1)

    # Related services, registers, premises.
    for code, p in (
        ("REL.PAYMENT_TERMINAL", 0.85),
        ("REL.BANK", 0.3),
        ("REL.COPY", 0.9),
        ("REL.PHOTO", 0.6),
        ("REL.NOTARY", 0.2),
        ("REL.LEGAL_AID", 0.4),
        ("REL.POST", 0.3),
        ("REL.INSURANCE", 0.2),
        ("REL.STATIONERY", 0.5),
        ("REL.LAMINATION", 0.6),
        ("REL.TRANSLATION", 0.1),
    ):
        v[code] = yes(p)
    v["REL.COUNT"] = int(v["SRV.VISITORS"] * ratio(0.05, 0.3))
    v["REL.REVENUE"] = round(v["REL.COUNT"] * ratio(0.02, 0.06), 1)
    for code, p in REGISTERS.items():
        v[code] = yes(p)
    v["REG.PASSPORT_STATIONS"] = (
        stable.randint(0, 3) if kind == Centre.Kind.CENTRE else stable.randint(0, 1)
    )
    v["REG.COUNT"] = sum(1 for code in REGISTERS if code in applicable and v[code])
    area = round(max(25.0, min(2500.0, population / 120 * stable.uniform(0.6, 1.4))), 1)
    v["PRM.AREA"] = area
    v["PRM.OPEN_AREA"] = round(area * stable.uniform(0.5, 0.8), 1)
    v["PRM.WAITING_AREA"] = round(v["PRM.OPEN_AREA"] * stable.uniform(0.3, 0.6), 1)
    v["PRM.WORKPLACES"] = admins + stable.randint(0, 2)
    v["PRM.WORKPLACES_USED"] = min(v["PRM.WORKPLACES"], admins + count(0, 1))
    v["PRM.SEATS"] = v["PRM.WORKPLACES"] * stable.randint(2, 5)
    v["PRM.FLOOR"] = stable.choices(
        ["ground", "basement", "upper_lift", "upper_no_lift"], [0.75, 0.05, 0.12, 0.08]
    )[0]
    for code in (
        "PRM.STEP_FREE",
        "PRM.ACCESSIBLE_WC",
        "PRM.TACTILE",
        "PRM.HEARING_LOOP",
        "PRM.PARKING",
        "PRM.CHILD_AREA",
        "PRM.WIFI",
        "PRM.SELF_SERVICE",
        "PRM.E_QUEUE",
        "PRM.INFO_TERMINAL",
        "PRM.DRINKING_WATER",
        "PRM.CLIMATE",
        "PRM.SHELTER",
    ):
        v[code] = yes(quality)
    v["PRM.RENOVATED"] = stable.randint(2005, 2025)

    # Working hours: from the registry, as the prefill offers them.
    for code, fact in (
        ("HRS.SCHEDULE", "working_hours"),
        ("HRS.WEEKLY_HOURS", "weekly_hours"),
        ("HRS.DAYS_PER_WEEK", "days_per_week"),
        ("HRS.SATURDAY", "saturday"),
        ("HRS.EVENING", "evening"),
        ("HRS.NO_BREAK", "no_break"),
    ):
        v[code] = facts.get(fact)
    v["HRS.CHANGED"] = flow.random() < 0.05

    # Feedback, digital, outreach.
    v["FBK.SURVEYS"] = int(v["SRV.VISITORS"] * ratio(0.02, 0.15))
    satisfied = round(min(100.0, ratio(85, 99.5)), 1)  # drawn always: keeps the sequence steady
    v["FBK.SATISFIED"] = satisfied if v["FBK.SURVEYS"] else None
    v["FBK.COMPLAINTS"] = count(0, 5)
    v["FBK.COMPLAINTS_RESOLVED"] = min(v["FBK.COMPLAINTS"], count(0, v["FBK.COMPLAINTS"]))
    v["FBK.SUGGESTIONS"] = count(0, 8)
    v["FBK.QR"] = yes(0.8)
    v["FBK.BOOK"] = yes(0.9)
    v["FBK.MYSTERY"] = flow.random() < 0.2
    v["DIG.EDMS"] = yes(0.7)
    v["DIG.EDOCS_SENT"] = int(applications * ratio(0.1, 0.6))
    v["DIG.PAPER_SENT"] = int(applications * ratio(0.05, 0.3))
    v["DIG.ASSISTANT"] = int(v["SRV.VISITORS"] * ratio(0.01, 0.05))
    v["DIG.SIGNATURE"] = count(0, 30)
    v["MOB.HOME_VISITS"] = count(0, 15)
    v["MOB.TRIPS"] = count(0, 20)
    v["MOB.SERVICES"] = v["MOB.TRIPS"] * count(3, 15)
    v["MOB.SETTLEMENTS"] = min(v["MOB.TRIPS"], count(0, 12))

    # Compliance checklists: the better-run centres meet more requirements.
    for code in form.indicators:
        if code.startswith(("OFF.", "ONL.")):
            v[code] = yes(quality)
    v["OFF.SATURDAY"] = bool(facts.get("saturday"))
    v["OFF.EVENING"] = bool(facts.get("evening"))
    v["ONL.CHAT_5MIN"] = yes(quality) if v.get("ONL.CHAT") else None
    return {
        code: value
        for code, value in v.items()
        if code in applicable
        and value is not None
        and not (isinstance(value, float) and math.isnan(value))
    }
