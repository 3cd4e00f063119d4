"""Reading cases. Every selector takes the viewer's scope and passes through `Scope.restrict`.

Later stages (the methodology, issue 6) read the case table through `cases_for` and
`cases_in_period`: one indexed row per case, filterable by scope, period and dimension.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakist.accounts.scope import Scope
from yakist.cases.enums import CaseStatus
from yakist.cases.lifecycle import ISSUE_LABELS, Step, case_fold
from yakist.cases.models import OPEN_STATUSES, Case
from yakist.core.periods import KYIV, Period, kyiv_midnight
from yakist.ingest import selectors as ingest_selectors
from yakist.registry import selectors as registry_selectors
from yakist.registry.models.reference import Service

TIMELINESS = ("overdue", "at_risk", "late", "on_time")


def cases_for(
    viewer: Scope,
    *,
    sandbox: bool = False,
    centre: str | None = None,
    service: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    status: str | None = None,
    channel: str | None = None,
    system: int | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    timeliness: str | None = None,
    search: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """Cases the viewer may see, filtered. Codes are registry codes; dates are Kyiv days."""
    queryset = viewer.restrict(
        Case.objects.filter(sandbox=sandbox),
        centre="centre",
        region="region",
        provider="provider",
        system="system",
    )
    if centre:
        queryset = queryset.filter(Q(centre__code=centre) | Q(main_centre__code=centre))
    if service:
        queryset = queryset.filter(service__code=service)
    if provider:
        queryset = queryset.filter(provider__code=provider)
    if region:
        queryset = queryset.filter(region_id=region)
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    if system:
        queryset = queryset.filter(system_id=system)
    if received_from:
        queryset = queryset.filter(received_at__gte=kyiv_midnight(received_from))
    if received_to:
        queryset = queryset.filter(
            received_at__lt=kyiv_midnight(received_to + dt.timedelta(days=1))
        )
    if timeliness:
        queryset = queryset.filter(timeliness_condition(timeliness, now or timezone.now()))
    if search:
        queryset = queryset.filter(case_id__iexact=search.strip())
    return queryset


def cases_in_period(viewer: Scope, *, period: Period, **filters) -> QuerySet[Case]:
    """Cases received within a reporting period (Kyiv quarters and years)."""
    return cases_for(viewer, **filters).filter(
        received_at__gte=period.start, received_at__lt=period.end
    )


def timeliness_condition(kind: str, now: dt.datetime) -> Q:
    """overdue: open past its deadline; at_risk: open in the last stretch before it;
    late / on_time: finished after / by the deadline. Suspended cases are neither."""
    if kind == "overdue":
        return Q(status__in=OPEN_STATUSES, due_at__lt=now)
    if kind == "at_risk":
        return Q(status__in=OPEN_STATUSES, at_risk_from__lte=now, due_at__gte=now)
    if kind == "late":
        return Q(on_time=False)
    if kind == "on_time":
        return Q(on_time=True)
    raise ValueError(kind)


def timeliness_of(case: Case, now: dt.datetime | None = None) -> tuple[str, str]:
    """(code, Ukrainian label) of where a case stands against its deadline."""
    now = now or timezone.now()
    if case.status == CaseStatus.WITHDRAWN:
        return "withdrawn", _("відкликано")
    if case.on_time is True:
        return "on_time", _("вчасно")
    if case.on_time is False:
        return "late", _("із запізненням на %(days)s дн.") % {"days": case.days_late}
    if case.status == CaseStatus.SUSPENDED:
        return "paused", _("строк зупинено")
    if case.due_at is None:
        return "unknown", _("строк невідомий")
    if case.due_at < now:
        days = (now.astimezone(KYIV).date() - case.due_at.astimezone(KYIV).date()).days
        return "overdue", _("прострочено на %(days)s дн.") % {"days": max(days, 1)}
    if case.at_risk_from and case.at_risk_from <= now:
        return "at_risk", _("під загрозою")
    return "on_track", _("у строк")


@dataclass(frozen=True)
class Counters:
    received_today: int
    received_week: int
    done_today: int
    done_week: int
    overdue_today: int
    overdue_week: int
    overdue_now: int
    at_risk_now: int


def case_counters(viewer: Scope, *, now: dt.datetime | None = None) -> Counters:
    """Live counters for today and this week (Kyiv): received, completed, fell overdue;
    and the backlog now: open cases past their deadline and at risk."""
    now = now or timezone.now()
    today = now.astimezone(KYIV).date()
    day_start = kyiv_midnight(today)
    week_start = kyiv_midnight(today - dt.timedelta(days=today.weekday()))
    cases = cases_for(viewer)
    finished = cases.exclude(status=CaseStatus.WITHDRAWN)

    def fell_overdue(start: dt.datetime) -> int:
        # A term ends at 23:59:59 (deadlines.end_of_day): the case is overdue from midnight,
        # so yesterday's last second belongs to today.
        return (
            finished.filter(due_at__gte=start - dt.timedelta(seconds=1), due_at__lt=now)
            .filter(Q(done_at__isnull=True) | Q(done_at__gt=F("due_at")))
            .exclude(status=CaseStatus.SUSPENDED)
            .count()
        )

    return Counters(
        received_today=cases.filter(received_at__gte=day_start).count(),
        received_week=cases.filter(received_at__gte=week_start).count(),
        done_today=finished.filter(done_at__gte=day_start).count(),
        done_week=finished.filter(done_at__gte=week_start).count(),
        overdue_today=fell_overdue(day_start),
        overdue_week=fell_overdue(week_start),
        overdue_now=cases.filter(timeliness_condition("overdue", now)).count(),
        at_risk_now=cases.filter(timeliness_condition("at_risk", now)).count(),
    )


def breakdown_dimension(viewer: Scope) -> tuple[str, str]:
    """What the dashboard's table groups by for this viewer: (case field, label)."""
    if viewer.is_national:
        return "region_id", _("Регіон")
    if viewer.region_code:
        return "main_centre_id", _("ЦНАП")
    if viewer.centre_id:
        return "centre_id", _("Точка доступу")
    return "service_id", _("Послуга")


def case_breakdown(viewer: Scope, *, days: int = 30, now: dt.datetime | None = None) -> list:
    """Per unit (region, centre, access point or service) over the last `days`: received,
    finished, share finished on time, open overdue now, mean rating. Centres no active system
    reports for are listed as not connected, not as zeros; per region, how many main centres
    are not connected."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    field, _label = breakdown_dimension(viewer)
    stats = {
        row.pop(field): row
        for row in cases_for(viewer)
        .filter(Q(received_at__gte=since) | Q(done_at__gte=since) | Q(status__in=OPEN_STATUSES))
        .values(field)
        .annotate(
            received=Count("pk", filter=Q(received_at__gte=since)),
            done=Count("pk", filter=Q(done_at__gte=since, on_time__isnull=False)),
            on_time=Count("pk", filter=Q(done_at__gte=since, on_time=True)),
            overdue=Count("pk", filter=timeliness_condition("overdue", now)),
            avg_rating=Avg("rating", filter=Q(rated_at__gte=since)),
            rating_count=Count("rating", filter=Q(rated_at__gte=since)),
        )
    }
    connected = ingest_selectors.connected_centre_ids()
    units = _units(viewer, field, stats)
    result = []
    for key, name, extra in units:
        row = stats.get(key) or dict.fromkeys(
            ("received", "done", "on_time", "overdue", "rating_count"), 0
        ) | {"avg_rating": None}
        row.update(name=name or "—", **extra)
        if field in ("main_centre_id", "centre_id") and key is not None:
            row["connected"] = key in connected
        if field == "region_id":
            row["not_connected"] = extra.get("main_centres", 0) - sum(
                1 for pk in extra.get("centre_ids", ()) if pk in connected
            )
        row["on_time_share"] = row["on_time"] / row["done"] if row["done"] else None
        result.append(row)
    return result


def _units(viewer: Scope, field: str, stats: dict) -> list[tuple]:
    """(key, name, extra) for every unit to show: all the viewer's regions or centres (even
    without cases), or the services that have cases."""
    if field == "region_id":
        centres: dict[str, list[int]] = {}
        for pk, region in registry_selectors.centres_for(
            viewer, kind="centre", status="active"
        ).values_list("pk", "region_id"):
            centres.setdefault(region, []).append(pk)
        return [
            (
                region.code,
                region.display_name,
                {
                    "main_centres": len(centres.get(region.code, [])),
                    "centre_ids": centres.get(region.code, []),
                },
            )
            for region in registry_selectors.regions().exclude(occupied=True)
        ]
    if field in ("main_centre_id", "centre_id"):
        kind = {"kind": "centre"} if field == "main_centre_id" else {}
        centres = registry_selectors.centres_for(viewer, **kind).exclude(status="closed")
        units = [(pk, name, {}) for pk, name in centres.values_list("pk", "name")]
        listed = {pk for pk, _, _ in units}
        units += [(None, _("онлайн (без центру)"), {})] if None in stats else []
        return units + [(pk, str(pk), {}) for pk in stats if pk not in listed and pk is not None]
    names = dict(Service.objects.filter(pk__in=list(stats)).values_list("pk", "name"))
    return sorted(((pk, names.get(pk, ""), {}) for pk in stats), key=lambda unit: unit[1])


def case_get_for(viewer: Scope, *, pk: int) -> Case | None:
    """One case the viewer may see (sandbox cases included, for their integrator)."""
    queryset = viewer.restrict(
        Case.objects.all(), centre="centre", region="region", provider="provider", system="system"
    )
    return (
        queryset.select_related(
            "system", "service", "centre", "main_centre", "region", "hromada", "provider"
        )
        .filter(pk=pk)
        .first()
    )


def case_timeline(case: Case) -> list[Step]:
    """The case's events in the order they happened, each with the state before and after.
    Call only with a case obtained through `case_get_for`."""
    events = ingest_selectors.case_history(
        system_id=case.system_id, sandbox=case.sandbox, case_id=case.case_id
    )
    return case_fold(events).steps


def quality_labels(case: Case) -> list[str]:
    return [str(ISSUE_LABELS.get(code, code)) for code in case.quality_issues]


# Service categories of the Register (data/services.csv) → kinds of services in the quarterly
# report (SRV.K_*). A category not listed counts as "other".
SERVICE_KINDS = {
    "Реєстрація актів цивільного стану": "kind_civil",
    "Паспортні послуги": "kind_passport",
    "Реєстрація місця проживання": "kind_residence",
    "Державна реєстрація бізнесу": "kind_business",
    "Податкові послуги": "kind_business",
    "Речові права на нерухоме майно": "kind_property",
    "Земельні відносини": "kind_land",
    "Соціальний захист": "kind_social",
    "Пенсійне забезпечення": "kind_pension",
    "Ветерани та ВПО": "kind_veterans",
    "Будівництво": "kind_construction",
    "Транспорт": "kind_transport",
    "Дозвільні послуги бізнесу": "kind_permits",
    "Дозвільні послуги": "kind_permits",
    "Місцеве самоврядування": "kind_local",
    "Житлові питання та благоустрій": "kind_local",
}
FLOW_FACTS = ("applications", "applications_online", "results", "refusals", "overdue")


def centre_flows(*, centre_ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    """What dynamic monitoring knows of each access point's quarter, for the quarterly report:
    applications (by kind and online), results, refusals and results after the deadline."""
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    done = Q(done_at__gte=period.start, done_at__lt=period.end, outcome__in=["issued", "refused"])
    rows = (
        Case.objects.filter(sandbox=False, centre_id__in=centre_ids)
        .filter(received | done)
        .values("centre_id", "service__category")
        .annotate(
            applications=Count("pk", filter=received),
            applications_online=Count("pk", filter=received & Q(channel="online")),
            results=Count("pk", filter=done),
            refusals=Count("pk", filter=done & Q(outcome="refused")),
            overdue=Count("pk", filter=done & Q(on_time=False)),
        )
    )
    flows: dict[int, dict[str, int]] = {}
    for row in rows:
        facts = flows.setdefault(row["centre_id"], dict.fromkeys(FLOW_FACTS, 0))
        for name in FLOW_FACTS:
            facts[name] += row[name]
        kind = SERVICE_KINDS.get(row["service__category"] or "", "kind_other")
        facts[kind] = facts.get(kind, 0) + row["applications"]
    return flows


def centre_service_slices(*, centre_code: str, period: str) -> list[dict]:
    """Volume and timeliness of one centre by service in a period (one grouped query)."""
    window = Period.parse(period)
    received = Q(received_at__gte=window.start, received_at__lt=window.end)
    done = Q(done_at__gte=window.start, done_at__lt=window.end, on_time__isnull=False) & ~Q(
        outcome="withdrawn"
    )
    rows = (
        Case.objects.filter(sandbox=False, main_centre__code=centre_code)
        .filter(received | done)
        .values("service__code", "service__name")
        .annotate(  # names unlike the model's fields, so filters keep meaning the fields
            n_received=Count("pk", filter=received),
            n_done=Count("pk", filter=done),
            n_on_time=Count("pk", filter=done & Q(on_time=True)),
            n_refused=Count("pk", filter=done & Q(outcome="refused")),
        )
        .order_by("-n_received")
    )
    return [
        {
            "service_code": row["service__code"],
            "name": row["service__name"],
            "received": row["n_received"],
            "done": row["n_done"],
            "on_time": row["n_on_time"],
            "refused": row["n_refused"],
            "share": row["n_on_time"] / row["n_done"] if row["n_done"] else None,
        }
        for row in rows
    ]
