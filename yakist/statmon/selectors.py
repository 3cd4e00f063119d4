"""Reading static-monitoring data. Every selector of reports takes the viewer's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yakist.accounts.scope import Scope
from yakist.core.periods import Period, kyiv_date, kyiv_now
from yakist.registry import selectors as registry
from yakist.statmon.models import (
    ACCEPTED_STATUSES,
    Campaign,
    FormVersion,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
)


def restrict(viewer: Scope, queryset: QuerySet, centre_path: str = "centre") -> QuerySet:
    """Limit rows that hang off a centre to what the viewer may see (Scope.restrict; an
    integrator sees the centres its connection agreement names, not every centre of a system
    marked "all": that mark lets events in, it does not hand over centres' reports)."""
    if viewer.system_id and not viewer.is_national:
        visible = registry.centres_named_by_system(viewer.system_id).values("pk")
        return queryset.filter(**{f"{centre_path}__in": visible})
    return viewer.restrict(queryset, centre=centre_path, region=f"{centre_path}__region")


def today_kyiv() -> dt.date:
    return kyiv_now().date()


# --- Forms and campaigns (not scoped: the catalogue and the calendar are public to staff) -------


def forms() -> QuerySet[FormVersion]:
    return FormVersion.objects.annotate(indicator_count=Count("indicators")).order_by(
        "code", "-version"
    )


def form_get(version: int, *, code: str | None = None) -> FormVersion | None:
    queryset = FormVersion.objects.filter(version=version)
    if code:
        queryset = queryset.filter(code=code)
    return queryset.order_by("code").first()


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("form").order_by("-period")


def campaign_get(period: str) -> Campaign | None:
    return Campaign.objects.select_related("form").filter(period=period).first()


def campaign_current(today: dt.date | None = None) -> Campaign | None:
    """The campaign people should work on now: the latest quarter whose campaign is open and
    whose deadline has not long passed, else the newest one."""
    today = today or today_kyiv()
    current = Period.quarter_of(today)
    open_ones = list(
        Campaign.objects.select_related("form")
        .filter(status=Campaign.State.OPEN, period__lte=current.code)
        .order_by("period")
    )
    for campaign in open_ones:
        if campaign.deadline >= today:
            return campaign
    if open_ones:
        return open_ones[-1]
    return campaigns().first()


def campaign_previous(campaign: Campaign) -> Campaign | None:
    return campaign_get(Period.parse(campaign.period).previous().code)


# --- Reports ------------------------------------------------------------------------------------


def reports_for(
    viewer: Scope,
    *,
    period: str | None = None,
    region: str | None = None,
    status: str | None = None,
) -> QuerySet[Report]:
    queryset = restrict(viewer, Report.objects.all())
    if period:
        queryset = queryset.filter(campaign__period=period)
    if region:
        queryset = queryset.filter(centre__region_id=region)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("campaign", "campaign__form", "centre", "centre__region")


def report_get_for(viewer: Scope, *, period: str, centre_code: str) -> Report | None:
    return reports_for(viewer, period=period).filter(centre__code=centre_code).first()


def report_in_scope(viewer: Scope, report: Report) -> bool:
    return restrict(viewer, Report.objects.filter(pk=report.pk)).exists()


@dataclass(frozen=True)
class StatusView:
    key: str
    label: Any
    badge: str


STATUS_VIEWS = {
    ReportStatus.NOT_STARTED: StatusView("not_started", _("не розпочато"), "neutral"),
    ReportStatus.DRAFT: StatusView("draft", _("чернетка"), "info"),
    ReportStatus.SUBMITTED: StatusView("submitted", _("подано, на перевірці"), "info"),
    ReportStatus.RETURNED: StatusView("returned", _("повернуто на доопрацювання"), "warn"),
    ReportStatus.ACCEPTED: StatusView("accepted", _("прийнято"), "ok"),
    ReportStatus.LOCKED: StatusView("locked", _("прийнято й закрито"), "ok"),
}
OVERDUE = StatusView("overdue", _("прострочено"), "bad")


def status_view(status: str, deadline: dt.date, today: dt.date) -> StatusView:
    """The status a person sees: a report never submitted by the deadline is overdue (a
    returned one was submitted and stays "returned": the review loop is still running)."""
    if status in (ReportStatus.NOT_STARTED, ReportStatus.DRAFT) and today > deadline:
        return OVERDUE
    return STATUS_VIEWS[ReportStatus(status)]


def is_late(report: Report) -> bool:
    if report.first_submitted_at is None:
        return False
    return kyiv_date(report.first_submitted_at) > report.campaign.deadline


def previous_accepted(report: Report) -> dict[str, Any]:
    """Accepted values of the same centre for the previous quarter ({} when none)."""
    previous = Period.parse(report.campaign.period).previous().code
    row = (
        Report.objects.filter(campaign__period=previous, centre_id=report.centre_id)
        .exclude(accepted_version=None)
        .values("accepted_version__values")
        .first()
    )
    return row["accepted_version__values"] if row else {}


def previous_answers(report: Report) -> dict[str, Any]:
    """The previous quarter's answers to copy: the accepted version, else the latest submitted."""
    accepted = previous_accepted(report)
    if accepted:
        return accepted
    previous = Period.parse(report.campaign.period).previous().code
    version = (
        ReportVersion.objects.filter(
            report__campaign__period=previous, report__centre_id=report.centre_id
        )
        .order_by("-number")
        .values("values")
        .first()
    )
    return version["values"] if version else {}


def report_events(report: Report) -> QuerySet[ReportEvent]:
    return report.events.order_by("at", "pk")


def report_versions(report: Report) -> QuerySet[ReportVersion]:
    return report.versions.order_by("number")


# --- Dashboards ---------------------------------------------------------------------------------


@dataclass
class DashboardRow:
    report: Report
    status: StatusView
    days_left: int
    warnings: int
    late: bool


def dashboard(
    viewer: Scope,
    campaign: Campaign,
    *,
    region: str | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> list[DashboardRow]:
    """Every expected report of the campaign in the viewer's scope, with what to do next."""
    today = today or today_kyiv()
    reports = reports_for(viewer, period=campaign.period, region=region).select_related(
        "centre__parent"
    )
    pending = dict(
        ReportVersion.objects.filter(
            report__in=reports, outcome=ReportVersion.Outcome.PENDING
        ).values_list("report_id", "findings")
    )
    rows = []
    for report in reports.order_by("centre__code"):
        view = status_view(report.status, campaign.deadline, today)
        if status and view.key != status:
            continue
        findings = pending.get(report.pk) or []
        rows.append(
            DashboardRow(
                report=report,
                status=view,
                days_left=(campaign.deadline - today).days,
                warnings=sum(1 for f in findings if f.get("severity") == "warning"),
                late=is_late(report),
            )
        )
    return rows


def status_summary(
    viewer: Scope, campaign: Campaign, *, today: dt.date | None = None
) -> dict[str, int]:
    """Counts per shown status, aggregated in the database (for national home pages)."""
    today = today or today_kyiv()
    counts = dict.fromkeys([*(v.key for v in STATUS_VIEWS.values()), OVERDUE.key], 0)
    rows = (
        reports_for(viewer, period=campaign.period)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[status_view(row["status"], campaign.deadline, today).key] += row["n"]
    return counts


def status_counts(rows: list[DashboardRow]) -> dict[str, int]:
    counts = dict.fromkeys([*(v.key for v in STATUS_VIEWS.values()), OVERDUE.key], 0)
    for row in rows:
        counts[row.status.key] += 1
    return counts


def completeness_by_region(
    viewer: Scope, campaign: Campaign, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Regions × completeness: expected, submitted, returned, accepted, overdue, share accepted."""
    today = today or today_kyiv()
    never_submitted = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT)
    overdue = Q(status__in=never_submitted) if today > campaign.deadline else Q(pk__in=[])
    rows = (
        reports_for(viewer, period=campaign.period)
        .values("centre__region_id")
        .annotate(
            expected=Count("pk"),
            not_started=Count("pk", filter=Q(status=ReportStatus.NOT_STARTED)),
            draft=Count("pk", filter=Q(status=ReportStatus.DRAFT)),
            submitted=Count("pk", filter=Q(status=ReportStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=ReportStatus.RETURNED)),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED_STATUSES)),
            overdue=Count("pk", filter=overdue),
        )
        .order_by("centre__region_id")
    )
    names = {region.code: region.display_name for region in registry.regions()}
    result = []
    for row in rows:
        result.append(
            {
                "region": row["centre__region_id"],
                "region_name": names.get(row["centre__region_id"], row["centre__region_id"]),
                **{k: row[k] for k in row if not k.startswith("centre__")},
                "share": round(100 * row["accepted"] / row["expected"], 1)
                if row["expected"]
                else 0.0,
            }
        )
    return result


# --- For the methodology engine and other readers ----------------------------------------------


def accepted_values(
    viewer: Scope,
    *,
    period: str,
    codes: list[str] | None = None,
    centre_codes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Accepted answers per centre for one quarter: [{centre_id, centre_code, centre_kind,
    region, period, form_version, version, values: {code: value}}]. `codes` limits the
    indicators (e.g. the OFF./ONL. compliance checklist); a centre whose accepted report lacks
    a code simply has no key for it ("not reported" is not zero)."""
    queryset = reports_for(viewer, period=period).exclude(accepted_version=None)
    if centre_codes:
        queryset = queryset.filter(centre__code__in=centre_codes)
    rows = queryset.values(
        "centre_id",
        "centre__code",
        "centre__kind",
        "centre__region_id",
        "accepted_version__number",
        "accepted_version__values",
        "accepted_version__form__version",
    ).order_by("centre__code")
    wanted = set(codes) if codes else None
    return [
        {
            "centre_id": row["centre_id"],
            "centre_code": row["centre__code"],
            "centre_kind": row["centre__kind"],
            "region": row["centre__region_id"],
            "period": period,
            "form_version": row["accepted_version__form__version"],
            "version": row["accepted_version__number"],
            "values": {
                code: value
                for code, value in row["accepted_version__values"].items()
                if wanted is None or code in wanted
            },
        }
        for row in rows
    ]


def checklist_codes(
    form: FormVersion, *, prefixes: tuple[str, ...] = ("OFF.", "ONL.")
) -> list[str]:
    """Codes of the compliance checklist items of a form version, in form order."""
    return list(
        form.indicators.filter(checklist=True)
        .filter(Q(*[Q(code__startswith=p) for p in prefixes], _connector=Q.OR))
        .order_by("position")
        .values_list("code", flat=True)
    )
