"""Staff pages of static monitoring around the reports: the home panel, the catalogue, the
quarter's campaigns and dashboard, and the roll-ups. One report's pages are in report_views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import Scope, scope_of
from yakist.accounts.services import audit_record
from yakist.core.periods import Period
from yakist.core.problems import Problem
from yakist.core.spreadsheets import XLSX_CONTENT_TYPE
from yakist.registry import selectors as registry
from yakist.statmon import rollup, selectors, services, workflow
from yakist.statmon.catalogue import form_spec
from yakist.statmon.formdata import checked_ids, date_field
from yakist.statmon.models import Campaign
from yakist.statmon.qa import QA_RULES
from yakist.statmon.validation import display_value
from yakist.statmon.viewmodels import problem_text, rollup_sections

# --- Home panel and navigation ------------------------------------------------------------------


def nav_links(request: HttpRequest, scope: Scope) -> list[dict[str, str]]:
    if not scope.is_staff:
        return []
    links = [{"url": reverse("statmon:index"), "label": _("Квартальна звітність")}]
    if scope.is_national or scope.region_code or scope.hromada_code:
        links.append(
            {"url": reverse("statmon:hromada_reports"), "label": _("Звіти органів громад")}
        )
    return links


def home_panel(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    campaign = selectors.campaign_current()
    if campaign is None or not scope.is_staff:
        return None
    counts = selectors.status_summary(scope, campaign)
    total = sum(counts.values())
    if not total:
        return None
    return {
        "template": "statmon/_home_panel.html",
        "campaign": campaign,
        "period_label": Period.parse(campaign.period).label,
        "counts": counts,
        "total": total,
        "own": selectors.dashboard(scope, campaign) if total <= 5 else [],
        "days_left": (campaign.deadline - selectors.today_kyiv()).days,
        "earlier": _other_open_quarters(scope, campaign),
    }


def _other_open_quarters(scope: Scope, current: Campaign) -> list[dict[str, Any]]:
    """Other open quarters whose reports still wait for someone (a review, a correction, a
    late submission): the home panel must not hide them behind the current quarter."""
    result = []
    others = selectors.campaigns().filter(status=Campaign.State.OPEN).exclude(pk=current.pk)
    for campaign in others:
        counts = selectors.status_summary(scope, campaign)
        if counts["submitted"] or counts["returned"] or counts["overdue"]:
            label = Period.parse(campaign.period).label
            result.append({"campaign": campaign, "period_label": label, "counts": counts})
    return result


# --- Index, catalogue, campaigns ------------------------------------------------------------------


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    campaign = selectors.campaign_current()
    if campaign is None:
        return redirect("statmon:campaigns")
    return redirect("statmon:campaign", campaign.period)


@staff_required
def forms_page(request: HttpRequest) -> HttpResponse:
    return render(request, "statmon/forms.html", {"forms": selectors.forms(), "qa_rules": QA_RULES})


@staff_required
def form_page(request: HttpRequest, version: int) -> HttpResponse:
    form = selectors.form_get(version)
    if form is None:
        raise Http404
    spec = form_spec(form)
    sections = [(section, spec.section_indicators(section)) for section in spec.sections]
    return render(
        request,
        "statmon/form.html",
        {"form": form, "spec": spec, "sections": sections, "checks": spec.checks},
    )


@staff_required
def campaigns_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    can_manage = workflow.can_manage(scope)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        _campaign_action(request)
        return redirect("statmon:campaigns")
    today = selectors.today_kyiv()
    return render(
        request,
        "statmon/campaigns.html",
        {
            "campaigns": selectors.campaigns(),
            "can_manage": can_manage,
            "suggested_period": Period.quarter_of(today).code,
        },
    )


def _campaign_action(request: HttpRequest) -> None:
    action = request.POST.get("action")
    try:
        if action == "open":
            period = Period.parse(request.POST.get("period", ""))
            deadline = date_field(request.POST.get("deadline"))
            campaign, created = services.campaign_open(
                period=period, deadline=deadline, actor=request.user, request=request
            )
            messages.success(
                request,
                _("Кампанію %(period)s відкрито; очікуваних звітів додано: %(n)s.")
                % {"period": campaign.period, "n": created},
            )
            return
        campaign = selectors.campaign_get(request.POST.get("period", ""))
        if campaign is None:
            messages.error(request, _("Кампанію не знайдено."))
        elif action == "deadline":
            deadline = date_field(request.POST.get("deadline"))
            if deadline is None:
                messages.error(request, _("Вкажіть дату у форматі РРРР-ММ-ДД."))
                return
            services.campaign_deadline_set(
                campaign=campaign, deadline=deadline, actor=request.user, request=request
            )
            messages.success(request, _("Строк подання змінено."))
        elif action == "close" and not request.POST.get("confirm"):
            messages.error(
                request,
                _(
                    "Позначте «Підтверджую закриття»: після закриття центри не зможуть "
                    "подавати звіти."
                ),
            )
        elif action == "close":
            locked = services.campaign_close(campaign=campaign, actor=request.user, request=request)
            messages.success(
                request,
                _("Кампанію закрито; прийнятих звітів закрито: %(n)s.") % {"n": locked},
            )
    except ValueError as error:
        messages.error(request, str(error))
    except Problem as problem:
        messages.error(request, problem_text(problem))


def _campaign(period: str) -> Campaign:
    campaign = selectors.campaign_get(period)
    if campaign is None:
        raise Http404
    return campaign


@staff_required
def campaign_page(request: HttpRequest, period: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    today = selectors.today_kyiv()
    region = request.GET.get("region") or None
    status = request.GET.get("status") or None
    if scope.is_national and not region:
        regions = selectors.completeness_by_region(scope, campaign, today=today)
        return render(
            request,
            "statmon/campaign_national.html",
            {
                "campaign": campaign,
                "period_label": Period.parse(period).label,
                "regions": regions,
                "total": rollup.completeness_total(regions),
                "days_left": (campaign.deadline - today).days,
                "campaigns": selectors.campaigns()[:8],
            },
        )
    rows = selectors.dashboard(scope, campaign, region=region)
    counts = selectors.status_counts(rows)
    if status:
        rows = [row for row in rows if row.status.key == status]
    return render(
        request,
        "statmon/campaign.html",
        {
            "campaign": campaign,
            "period_label": Period.parse(period).label,
            "rows": rows,
            "counts": counts,
            "total": sum(counts.values()),
            "status": status,
            "region": region,
            "region_name": registry.territory_get(region).display_name if region else "",
            "statuses": [*selectors.STATUS_VIEWS.values(), selectors.OVERDUE],
            "can_review": workflow.can_review(scope),
            "days_left": (campaign.deadline - today).days,
            "campaigns": selectors.campaigns()[:8],
        },
    )


@staff_required
@require_POST
def bulk_accept(request: HttpRequest, period: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    if not workflow.can_review(scope):
        raise PermissionDenied
    ids = checked_ids(request.POST, "report")
    if not ids:
        messages.warning(request, _("Позначте звіти, які треба прийняти."))
    else:
        reports = selectors.reports_for(scope, period=campaign.period).filter(pk__in=ids)
        try:
            accepted = services.reports_accept_bulk(
                reports=reports, actor=request.user, request=request
            )
        except Problem as problem:
            messages.error(request, problem_text(problem))
        else:
            skipped = len(ids) - accepted
            messages.success(
                request,
                _("Прийнято звітів: %(n)s.") % {"n": accepted}
                + (
                    _(" Пропущено (не в стані «подано»): %(s)s.") % {"s": skipped}
                    if skipped
                    else ""
                ),
            )
    url = reverse("statmon:campaign", args=[campaign.period])
    region = request.POST.get("region")
    return redirect(f"{url}?region={region}" if region else url)


# --- Roll-ups -----------------------------------------------------------------------------------


@staff_required
def rollup_page(request: HttpRequest, period: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    data = rollup.rollup_build(scope, campaign)
    # A coordinator's roll-up is its oblast's, with the drill-down to centres, not "Ukraine".
    one_region = not scope.is_national and len(data.regions) == 1
    area = data.regions[0] if one_region else data.national
    return render(
        request,
        "statmon/rollup.html",
        {
            "campaign": campaign,
            "period_label": Period.parse(period).label,
            "data": data,
            "area": area,
            "sections": rollup_sections(data, area),
            "completeness": [region.completeness for region in data.regions],
        },
    )


@staff_required
def rollup_region(request: HttpRequest, period: str, region: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    data = rollup.rollup_build(scope, campaign)
    area = next((a for a in data.regions if a.code == region), None)
    if area is None:
        raise Http404
    return render(
        request,
        "statmon/rollup.html",
        {
            "campaign": campaign,
            "period_label": Period.parse(period).label,
            "data": data,
            "area": area,
            "sections": rollup_sections(data, area),
        },
    )


@staff_required
def rollup_centres(request: HttpRequest, period: str, region: str, code: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    spec = form_spec(campaign.form).indicators.get(code)
    territory = registry.territory_get(region)
    if spec is None or territory is None:
        raise Http404
    rows = rollup.centre_values(scope, campaign, region=region, code=code)
    if not rows:
        raise Http404
    return render(
        request,
        "statmon/rollup_centres.html",
        {
            "campaign": campaign,
            "period_label": Period.parse(period).label,
            "spec": spec,
            "region": territory,
            "rows": [
                {
                    **row,
                    "shown": display_value(spec, row["value"]),
                    "previous_shown": display_value(spec, row["previous"]),
                }
                for row in rows
            ],
        },
    )


@staff_required
def rollup_export(request: HttpRequest, period: str, fmt: str) -> HttpResponse:
    scope = scope_of(request.user)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if not (scope.is_national or scope.region_code):
        raise PermissionDenied
    campaign = _campaign(period)
    data = rollup.rollup_build(scope, campaign)
    from yakist.statmon import exports

    content = exports.rollup_xlsx(data) if fmt == "xlsx" else exports.rollup_csv(data)
    audit_record(
        actor=request.user,
        action="export",
        object_type="statmon.rollup",
        object_id=period,
        summary=f"{period}.{fmt}",
        request=request,
    )
    response = HttpResponse(
        content, content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="yakist-statmon-{period}.{fmt}"'
    return response
