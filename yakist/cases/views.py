"""Staff pages of dynamic monitoring: live counters, case search, timelines, cases at risk."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import Scope, scope_of
from yakist.accounts.services import audit_record
from yakist.cases import calendar, selectors
from yakist.cases.enums import CaseStatus
from yakist.cases.lifecycle import ISSUE_LABELS
from yakist.core.periods import kyiv_now
from yakist.ingest.enums import Channel
from yakist.registry import selectors as registry_selectors

PAGE_SIZE = 50


def _sees_sandbox(scope: Scope) -> bool:
    return scope.is_national or bool(scope.system_id)


def _filters(request: HttpRequest, scope: Scope) -> dict:
    get = request.GET

    def text(name: str, limit: int = 60) -> str | None:
        return (get.get(name) or "").strip()[:limit] or None

    system = text("system")
    return {
        "centre": text("centre"),
        "service": text("service"),
        "provider": text("provider"),
        "region": text("region") if scope.is_national else None,
        "status": get.get("status") if get.get("status") in CaseStatus.values else None,
        "channel": get.get("channel") if get.get("channel") in Channel.values else None,
        "system": int(system) if system and system.isdigit() else None,
        "received_from": parse_date(get.get("from") or "") if get.get("from") else None,
        "received_to": parse_date(get.get("to") or "") if get.get("to") else None,
        "timeliness": get.get("timeliness")
        if get.get("timeliness") in selectors.TIMELINESS
        else None,
        "search": text("q", 100),
        "sandbox": get.get("sandbox") == "1" and _sees_sandbox(scope),
    }


def _rows(cases, now: dt.datetime) -> list:
    rows = []
    for case in cases:
        case.timeliness_code, case.timeliness_label = selectors.timeliness_of(case, now)
        rows.append(case)
    return rows


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    now = timezone.now()
    at_risk = (
        selectors.cases_for(scope, timeliness="at_risk", now=now)
        .select_related("service", "centre", "provider")
        .order_by("due_at")[:10]
    )
    _field, dimension = selectors.breakdown_dimension(scope)
    return render(
        request,
        "cases/dashboard.html",
        {
            "counters": selectors.case_counters(scope, now=now),
            "breakdown": selectors.case_breakdown(scope, now=now),
            "dimension": dimension,
            "at_risk": _rows(at_risk, now),
            "now": now,
        },
    )


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    now = timezone.now()
    filters = _filters(request, scope)
    cases = (
        selectors.cases_for(scope, now=now, **filters)
        .select_related("service", "centre", "provider", "system")
        .order_by("-received_at", "-id")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _rows(page.object_list, now)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "filters": request.GET,
            "statuses": CaseStatus.choices,
            "channels": Channel.choices,
            "timeliness": [
                ("overdue", _("прострочені")),
                ("at_risk", _("під загрозою")),
                ("late", _("завершені із запізненням")),
                ("on_time", _("завершені вчасно")),
            ],
            "regions": registry_selectors.regions() if scope.is_national else [],
            "systems": registry_selectors.systems_for(scope),
            "sees_sandbox": _sees_sandbox(scope),
        },
    )


@staff_required
def at_risk(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    now = timezone.now()
    related = ("service", "centre", "provider")
    risky = selectors.cases_for(scope, timeliness="at_risk", now=now).select_related(*related)
    overdue = selectors.cases_for(scope, timeliness="overdue", now=now).select_related(*related)
    return render(
        request,
        "cases/at_risk.html",
        {
            "at_risk": _rows(risky.order_by("due_at")[:200], now),
            "at_risk_total": risky.count(),
            "overdue": _rows(overdue.order_by("due_at")[:200], now),
            "overdue_total": overdue.count(),
        },
    )


@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    case = selectors.case_get_for(scope, pk=pk)
    if case is None:
        raise Http404  # the same answer whether it does not exist or is out of scope
    audit_record(
        actor=request.user,
        action="case_view",
        obj=case,
        summary=f"{case.system.name}: {case.case_id}",
        request=request,
    )
    now = timezone.now()
    case.timeliness_code, case.timeliness_label = selectors.timeliness_of(case, now)
    statuses = dict(CaseStatus.choices)
    steps = [
        {
            "step": step,
            "before": statuses.get(step.before, "—") if step.before else "—",
            "after": statuses.get(step.after, "—") if step.after else "—",
            "issue": ISSUE_LABELS.get(step.issue) if step.issue else None,
        }
        for step in selectors.case_timeline(case)
    ]
    return render(
        request,
        "cases/case.html",
        {"case": case, "steps": steps, "issues": selectors.quality_labels(case)},
    )


def home_panel(request: HttpRequest, scope: Scope) -> dict | None:
    """Live counters on the staff home page."""
    if not scope.is_staff:
        return None
    review = None
    if scope.is_national or scope.superuser:
        # The ministry checks whether martial law (and with it the holiday rules) still holds.
        review = calendar.martial_law_review_due(kyiv_now().date())
    return {
        "template": "cases/_panel.html",
        "counters": selectors.case_counters(scope),
        "martial_law_review": review,
    }


def staff_nav(request: HttpRequest, scope: Scope) -> list[dict]:
    if not scope.is_staff:
        return []
    return [
        {"url": reverse("cases:dashboard"), "label": _("Справи: моніторинг")},
        {"url": reverse("cases:at_risk"), "label": _("Справи під загрозою")},
    ]
