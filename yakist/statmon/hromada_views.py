"""Staff pages of the hromada body's quarterly report."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import HROMADA_ROLES, scope_of
from yakist.core.periods import Period, kyiv_now
from yakist.core.problems import Problem
from yakist.statmon import hromada


@staff_required
def hromada_report(request: HttpRequest, period: str) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.role not in HROMADA_ROLES:
        raise PermissionDenied
    body = request.user.staff_profile.organisation
    error = None
    if request.method == "POST":
        try:
            hromada.hromada_report_save(
                viewer=scope,
                actor=request.user,
                period=period,
                data=request.POST,
                submit=request.POST.get("action") == "submit",
            )
        except Problem as problem:
            error = problem.detail or problem.title
    report = hromada.hromada_reports_for(scope).filter(organisation=body, period=period).first()
    values = report.values if report else {}
    items = [(item, values.get(item.code)) for item in hromada.hromada_form().items]
    return render(
        request,
        "statmon/hromada_report.html",
        {
            "body": body,
            "period": Period.parse(period),
            "report": report,
            "items": items,
            "form": hromada.hromada_form(),
            "error": error,
        },
        status=422 if error else 200,
    )


@staff_required
def hromada_reports(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.is_staff:
        raise PermissionDenied
    reports = hromada.hromada_reports_for(scope)[:200]
    return render(
        request,
        "statmon/hromada_reports.html",
        {
            "reports": reports,
            "current": Period.quarter_of(kyiv_now()).previous(),
            "own": scope.role in HROMADA_ROLES,
        },
    )
