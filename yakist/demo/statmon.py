"""Demo step of static monitoring: the catalogue, two past quarters, the current one open.

Values are synthetic but internally consistent (every catalogue check holds; answers Yakist
knows from the registry match it) and scale with the population a centre serves; they are
drawn in yakist.demo.statmon_values. Past quarters are computed from today's date: a few
reports were returned, some came late, a few never came. The history is written with bulk
inserts (not through the services, which would take minutes); the services' own behaviour is
covered by tests.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Subquery

from yakist.core.db import instances_insert
from yakist.core.periods import KYIV, Period
from yakist.demo.runner import DemoContext
from yakist.demo.statmon_values import applications_density, centre_values
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
    ctx: DemoContext,
    campaign: Campaign,
    period: Period,
    form: FormSpec,
    today: dt.date,
    *,
    final: bool,
) -> str:
    rng = ctx.rng(f"statmon:{period.code}")
    expected = services.expected_centres(campaign.form.reporting_kinds, period)
    centres = list(expected.select_related("parent").order_by("code"))
    partial = set(expected.filter(services.part_of_quarter(period)).values_list("pk", flat=True))
    facts = prefill.sources()["registry"].provide(centres, period)
    # The demo world is one world: a connected centre reports what its system sent (and the
    # few cases it missed), and the others report at the same rate per resident.
    dynamic = prefill.sources()["cases"].provide(centres, period)
    density = applications_density(centres, dynamic)
    users = _demo_users()
    demo_centre = users["centre"].staff_profile.centre_id if "centre" in users else None
    previous = _previous_values(period)
    reports, plans = [], []
    for centre in ctx.track(centres, total=len(centres), description=f"Звіти {period.code}"):
        plan = _plan(rng, centre, final=final, demo_centre=demo_centre)
        _timeline(rng, plan, campaign, period, today)
        values = centre_values(
            form,
            centre,
            facts.get(centre.pk, {}),
            period,
            ctx,
            dynamic=dynamic.get(centre.pk),
            density=density,
        )
        values, plan["note"] = _as_planned(plan, values, previous.get(centre.pk, {}))
        reports.append(_report(campaign, centre, plan, values, partial=centre.pk in partial))
        plans.append(plan)
    Report.objects.bulk_create(reports, batch_size=500)
    _write_history(campaign, reports, plans, users)
    if final:
        campaign.status = Campaign.State.CLOSED
        campaign.closed_at = _moment(campaign.deadline + dt.timedelta(days=25), 10)
        campaign.save(update_fields=["status", "closed_at"])
    counts: dict[str, int] = defaultdict(int)
    for report in reports:
        counts[report.status] += 1
    return ", ".join(f"{ReportStatus(k).label} {v}" for k, v in sorted(counts.items()))


def _demo_users() -> dict[str, Any]:
    """The demo's `centre` and `coordinator` logins (either may be absent), by username."""
    return {
        u.username: u
        for u in get_user_model()
        .objects.select_related("staff_profile")
        .filter(username__in=["centre", "coordinator"])
    }


def _as_planned(
    plan: dict, values: dict[str, Any], before: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers as the plan has them, and the note explaining an anomaly: a jump of fees
    against the quarter before, none of the answers yet, or half of them in a draft."""
    note = {}
    fees_before = before.get("SRV.FEES")
    if plan["anomaly"] and fees_before and "SRV.FEES" in values:
        values["SRV.FEES"] = round(fees_before * 3.5, 1)
        note = {"SRV.FEES": FLOW_NOTE}
    if plan["outcome"] == "not_started":
        values = {}
    elif plan["outcome"] == "draft":
        values = dict(list(values.items())[: len(values) // 2])
    return values, note


def _report(
    campaign: Campaign, centre: Centre, plan: dict, values: dict[str, Any], *, partial: bool
) -> Report:
    return Report(
        campaign=campaign,
        centre=centre,
        status=plan["status"],
        part_of_quarter=partial,
        values=values,
        comments=plan["note"],
        draft_version=1 if values else 0,
        review_comment=plan.get("comment", ""),
        first_submitted_at=plan.get("first_submitted"),
        submitted_at=plan.get("submitted"),
        updated_at=plan.get("saved"),
    )


def _write_history(
    campaign: Campaign, reports: list[Report], plans: list[dict], users: dict
) -> None:
    """The reports' versions and events, each accepted report's version, and the signal that
    the figures of accepted reports changed."""
    versions, events = _history(campaign, reports, plans, users)
    instances_insert(ReportVersion, versions)
    instances_insert(ReportEvent, events)
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
