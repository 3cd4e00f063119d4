"""Staff pages of static monitoring: filling a report, review, the oblast dashboard, roll-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
from yakist.core.spreadsheets import XLSX_CONTENT_TYPE, upload_bytes
from yakist.registry import selectors as registry
from yakist.statmon import prefill, rollup, selectors, services
from yakist.statmon.catalogue import FormSpec, IndicatorSpec, SectionSpec, form_spec
from yakist.statmon.models import Campaign, IndicatorType, Report, ReportStatus
from yakist.statmon.prefill import Suggestion
from yakist.statmon.qa import QA_RULES
from yakist.statmon.validation import Finding, display_value, input_value, parse_text


def _problem_text(problem: Problem) -> str:
    return str(problem.detail or problem.title)


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
    can_manage = services.can_manage(scope)
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
            deadline = _date(request.POST.get("deadline"))
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
            deadline = _date(request.POST.get("deadline"))
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
        messages.error(request, _problem_text(problem))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(_("Вкажіть дату у форматі РРРР-ММ-ДД.")) from error


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
            "can_review": services.can_review(scope),
            "days_left": (campaign.deadline - today).days,
            "campaigns": selectors.campaigns()[:8],
        },
    )


@staff_required
@require_POST
def bulk_accept(request: HttpRequest, period: str) -> HttpResponse:
    scope = scope_of(request.user)
    campaign = _campaign(period)
    if not services.can_review(scope):
        raise PermissionDenied
    ids = [int(pk) for pk in request.POST.getlist("report") if pk.isdigit()]
    if not ids:
        messages.warning(request, _("Позначте звіти, які треба прийняти."))
    else:
        reports = selectors.reports_for(scope, period=campaign.period).filter(pk__in=ids)
        try:
            accepted = services.reports_accept_bulk(
                reports=reports, actor=request.user, request=request
            )
        except Problem as problem:
            messages.error(request, _problem_text(problem))
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


# --- One report ---------------------------------------------------------------------------------


@dataclass
class FieldView:
    spec: IndicatorSpec
    dom_id: str
    value: str
    base: str
    comment: str
    comment_base: str
    error: str = ""
    findings: list[Finding] = field(default_factory=list)
    source: Suggestion | None = None
    prefilled: bool = False
    previous: str = ""
    conflict: services.DraftConflict | None = None
    comment_conflict: services.DraftConflict | None = None

    @property
    def needs_comment(self) -> bool:
        return any(not f.is_error for f in self.findings) or bool(self.comment)

    @property
    def invalid(self) -> bool:
        return bool(self.error) or any(f.is_error for f in self.findings)

    @property
    def choices(self) -> list[tuple[str, str]]:
        if self.spec.type == IndicatorType.BOOLEAN:
            return [("так", _("Так")), ("ні", _("Ні"))]
        return [(c.value, c.label) for c in self.spec.choices]

    @property
    def value_known(self) -> bool:
        """Whether the shown value is one of the options (an odd upload value is kept visible)."""
        options = {key for key, _label in self.choices}
        parsed = parse_text(self.spec, self.value)[0] if self.value else None
        return not self.value or self.value in options or parsed is not None

    @property
    def selected(self) -> str:
        if self.spec.type == IndicatorType.BOOLEAN and self.value:
            parsed = parse_text(self.spec, self.value)[0]
            if parsed is not None:
                return "так" if parsed else "ні"
        if self.spec.type == IndicatorType.CHOICE and self.value:
            parsed = parse_text(self.spec, self.value)[0]
            if parsed is not None:
                return parsed
        return self.value


@dataclass
class SectionView:
    spec: SectionSpec
    fields: list[FieldView]

    @property
    def filled(self) -> int:
        return sum(1 for f in self.fields if f.value)

    @property
    def problems(self) -> int:
        return sum(1 for f in self.fields if f.invalid)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.fields if any(not x.is_error for x in f.findings))


def _sections(
    report: Report,
    form: FormSpec,
    *,
    findings: list[Finding],
    show_required: bool = False,
    posted: dict[str, Any] | None = None,
    conflicts: list[services.DraftConflict] | None = None,
) -> list[SectionView]:
    kind = report.centre.kind
    suggestions = prefill.suggestions(
        form.applicable(kind), [report.centre], Period.parse(report.campaign.period)
    ).get(report.centre_id, {})
    previous = selectors.previous_accepted(report)
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule == "required" and not show_required:
            continue
        by_code.setdefault(finding.code, []).append(finding)
    conflict_of = {c.code: c for c in conflicts or []}
    posted = posted or {}
    sections = []
    for section in form.sections:
        fields = []
        for spec in form.section_indicators(section, kind):
            stored = report.invalid.get(spec.code) or input_value(
                spec, report.values.get(spec.code)
            )
            view = FieldView(
                spec=spec,
                dom_id="f-" + spec.code.replace(".", "-"),
                value=stored,
                base=stored,
                comment=report.comments.get(spec.code, ""),
                comment_base=report.comments.get(spec.code, ""),
                findings=[f for f in by_code.get(spec.code, []) if f.rule not in ("type", "range")],
                previous=display_value(spec, previous.get(spec.code)),
            )
            if spec.code in report.invalid:
                error = parse_text(spec, report.invalid[spec.code])[1]
                view.error = str(error) if error else ""
            suggestion = suggestions.get(spec.code)
            if suggestion is not None:
                view.source = suggestion
                if not stored:
                    view.value = input_value(spec, suggestion.value)
                    view.prefilled = True
            if spec.code in conflict_of:
                view.conflict = conflict_of[spec.code]
                view.value = posted.get(spec.code, view.value)
            if f"#{spec.code}" in conflict_of:
                view.comment_conflict = conflict_of[f"#{spec.code}"]
                view.comment = view.comment_conflict.yours
            fields.append(view)
        if fields:
            sections.append(SectionView(spec=section, fields=fields))
    return sections


def _report_or_404(request: HttpRequest, period: str, code: str) -> tuple[Scope, Report]:
    scope = scope_of(request.user)
    report = selectors.report_get_for(scope, period=period, centre_code=code)
    if report is None:
        raise Http404  # the same answer whether it does not exist or is out of scope
    return scope, report


def _editable(scope: Scope, report: Report) -> bool:
    return (
        report.is_editable
        and services.can_edit(scope)
        and (report.campaign.is_open or report.revision > 0)
    )


def _posted(request: HttpRequest, form: FormSpec, kind: str):
    entries, base, comments = {}, {}, {}
    for spec in form.applicable(kind):
        key = f"v:{spec.code}"
        if key in request.POST:
            entries[spec.code] = request.POST[key]
            base[spec.code] = request.POST.get(f"b:{spec.code}", "")
        ckey = f"c:{spec.code}"
        if ckey in request.POST:
            comments[spec.code] = request.POST[ckey]
            base[f"#{spec.code}"] = request.POST.get(f"bc:{spec.code}", "")
    return entries, base, comments


@staff_required
def report_page(request: HttpRequest, period: str, code: str) -> HttpResponse:
    scope, report = _report_or_404(request, period, code)
    form = services.report_form(report)
    editable = _editable(scope, report)
    if request.method == "POST":
        if not services.can_edit(scope):
            raise PermissionDenied  # reviewers and the auditor read reports; they do not fill them
        if not editable:
            return _post_refused(request, report, form)
        return _report_post(request, report, form)
    audit_record(actor=request.user, action="statmon_report_view", obj=report, request=request)
    return _render_report(request, report, form, editable=editable)


def _post_refused(request: HttpRequest, report: Report, form: FormSpec) -> HttpResponse:
    """A form posted to a report that can no longer change (the campaign was closed, or a
    colleague submitted it meanwhile): say why, and show back what was typed but not saved."""
    messages.error(request, _refusal(report))
    entries, _base, comments = _posted(request, form, report.centre.kind)
    unsaved = _unsaved(report, form, entries, comments)
    if not unsaved:
        return redirect("statmon:report", report.campaign.period, report.centre.code)
    return _render_report(request, report, form, editable=False, unsaved=unsaved, status=409)


def _refusal(report: Report) -> str:
    """Why this report takes no changes now, in words the centre can act on."""
    if report.is_editable and not report.campaign.is_open and report.revision == 0:
        return services.campaign_closed_detail(report.campaign)
    return _("Цей звіт зараз не можна змінювати: його стан — «%(status)s».") % {
        "status": report.get_status_display()
    }


def _unsaved(
    report: Report, form: FormSpec, entries: dict[str, str], comments: dict[str, str]
) -> list[tuple[IndicatorSpec, str, str]]:
    """(indicator, typed value, typed explanation) wherever the post differs from the draft;
    values the page itself offered from a known source are not the person's typing."""
    applicable = form.applicable(report.centre.kind)
    offered = prefill.suggestions(
        applicable, [report.centre], Period.parse(report.campaign.period)
    ).get(report.centre_id, {})
    result = []
    for spec in applicable:
        stored = report.invalid.get(spec.code) or input_value(spec, report.values.get(spec.code))
        if not stored and spec.code in offered:
            stored = input_value(spec, offered[spec.code].value)
        typed = (entries.get(spec.code) or "").strip()
        note = (comments.get(spec.code) or "").strip()
        changed_value = typed and typed != stored
        changed_note = note and note != report.comments.get(spec.code, "")
        if changed_value or changed_note:
            result.append((spec, typed if changed_value else "", note if changed_note else ""))
    return result


def _render_report(
    request: HttpRequest,
    report: Report,
    form: FormSpec,
    *,
    editable: bool,
    show_required: bool = False,
    posted: dict | None = None,
    conflicts: list | None = None,
    cell_errors: list | None = None,
    unsaved: list | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = scope_of(request.user)
    findings = services.report_check(report) if editable else []
    sections = _sections(
        report,
        form,
        findings=findings,
        show_required=show_required,
        posted=posted,
        conflicts=conflicts,
    )
    today = selectors.today_kyiv()
    campaign = report.campaign
    context = {
        "report": report,
        "campaign": campaign,
        "form": form,
        "period_label": Period.parse(campaign.period).label,
        "status": selectors.status_view(report.status, campaign.deadline, today),
        "late": selectors.is_late(report),
        "days_left": (campaign.deadline - today).days,
        "editable": editable,
        "sections": sections,
        "errors": [f for f in findings if f.is_error and (show_required or f.rule != "required")],
        "warnings": [f for f in findings if not f.is_error],
        "conflicts": conflicts or [],
        "cell_errors": cell_errors or [],
        "unsaved": unsaved or [],
        "can_review": services.can_review(scope) and report.status == ReportStatus.SUBMITTED,
        "can_correct": services.can_correct(scope)
        and report.status in (ReportStatus.ACCEPTED, ReportStatus.LOCKED),
        "can_edit": services.can_edit(scope),
        "findings_review": _review_findings(report),
        "review_sections": [] if editable else _review_sections(report, form),
        "versions": selectors.report_versions(report),
        "has_previous": bool(selectors.previous_answers(report)) if editable else False,
    }
    return render(request, "statmon/report.html", context, status=status)


def _review_findings(report: Report) -> list[dict]:
    """The warnings of the submitted version, each with the centre's explanation."""
    latest = selectors.report_versions(report).last()
    if latest is None:
        return []
    return [
        {**f, "comment": latest.comments.get(f["code"], "")}
        for f in latest.findings
        if f["severity"] == "warning"
    ]


def _review_sections(report: Report, form: FormSpec) -> list[tuple[SectionSpec, list[dict]]]:
    """Read-only rows for review: value, last quarter's accepted value, change and the
    warnings found at submission with the centre's explanation."""
    latest = selectors.report_versions(report).last()
    findings: dict[str, list[dict]] = {}
    for finding in latest.findings if latest else []:
        findings.setdefault(finding["code"], []).append(finding)
    previous = selectors.previous_accepted(report)
    result = []
    for section in form.sections:
        rows = []
        for spec in form.section_indicators(section, report.centre.kind):
            value, before = report.values.get(spec.code), previous.get(spec.code)
            change = None
            if spec.is_numeric and value is not None and before:
                change = round(100 * (value - before) / abs(before), 1)
            found = findings.get(spec.code, [])
            rows.append(
                {
                    "spec": spec,
                    "value": display_value(spec, value),
                    "previous": display_value(spec, before),
                    "change": change,
                    "warnings": [f for f in found if f["severity"] == "warning"],
                    "errors": [f for f in found if f["severity"] == "error"],
                    "comment": report.comments.get(spec.code, ""),
                }
            )
        if rows:
            result.append((section, rows))
    return result


def _report_post(request: HttpRequest, report: Report, form: FormSpec) -> HttpResponse:
    entries, base, comments = _posted(request, form, report.centre.kind)
    action = request.POST.get("action", "save")
    try:
        draft_version = int(request.POST.get("draft_version", ""))
    except ValueError:
        draft_version = None
    try:
        result = services.report_save(
            report=report,
            entries=entries,
            base=base,
            comments=comments,
            draft_version=draft_version,
            actor=request.user,
            request=request,
        )
    except Problem as problem:
        messages.error(request, _problem_text(problem))
        return redirect("statmon:report", report.campaign.period, report.centre.code)
    report.refresh_from_db()
    if result.conflicts:
        messages.warning(
            request,
            _(
                "Поки ви працювали, чернетку змінив інший користувач. Зміни без конфліктів "
                "збережено; для полів нижче (%(n)s) оберіть правильне значення і збережіть ще раз."
            )
            % {"n": len(result.conflicts)},
        )
        return _render_report(
            request,
            report,
            form,
            editable=True,
            posted=entries,
            conflicts=result.conflicts,
            status=409,
        )
    if action == "copy":
        copied = services.report_copy_previous(report=report, actor=request.user, request=request)
        messages.success(
            request,
            _("Скопійовано відповідей з минулого кварталу: %(n)s (лише в порожні поля).")
            % {"n": copied}
            if copied
            else _("Копіювати нічого: відповіді минулого кварталу вже є або поля заповнені."),
        )
    elif action == "submit":
        try:
            services.report_submit(report=report, actor=request.user, request=request)
        except services.ReportInvalid as problem:
            report.refresh_from_db()
            messages.error(request, _problem_text(problem))
            return _render_report(
                request, report, form, editable=True, show_required=True, status=422
            )
        except Problem as problem:
            messages.error(request, _problem_text(problem))
        else:
            messages.success(request, _("Звіт подано на перевірку регіональному координатору."))
            return redirect("statmon:report", report.campaign.period, report.centre.code)
    elif result.errors:
        messages.warning(
            request,
            _("Чернетку збережено, але %(n)s значень некоректні — їх позначено; виправте.")
            % {"n": len(result.errors)},
        )
    else:
        messages.success(request, _("Чернетку збережено."))
    anchor = request.POST.get("save") or ""
    url = reverse("statmon:report", args=[report.campaign.period, report.centre.code])
    return redirect(f"{url}#sec-{anchor}" if anchor and anchor != "all" else url)


@staff_required
@require_POST
def report_review(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    try:
        if decision == "return":
            services.report_return(
                report=report, actor=request.user, comment=comment, request=request
            )
            messages.success(request, _("Звіт повернуто центру з коментарем."))
        elif decision == "accept":
            services.report_accept(
                report=report, actor=request.user, comment=comment, request=request
            )
            messages.success(request, _("Звіт прийнято."))
        else:
            messages.error(request, _("Оберіть рішення: прийняти або повернути."))
    except Problem as problem:
        messages.error(request, _problem_text(problem))
    return redirect("statmon:report", period, code)


@staff_required
@require_POST
def report_correct(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    try:
        services.report_correction_open(
            report=report,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except Problem as problem:
        messages.error(request, _problem_text(problem))
    else:
        messages.success(
            request,
            _("Розпочато виправлення. Попередня прийнята версія діє, доки нову не буде прийнято."),
        )
    return redirect("statmon:report", period, code)


@staff_required
def report_history(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    form = services.report_form(report)
    versions = list(selectors.report_versions(report))
    diffs = []
    before: dict[str, Any] = {}
    for version in versions:
        changed = []
        for spec in form.indicators.values():
            old, new = before.get(spec.code), version.values.get(spec.code)
            if old != new and (old is not None or version.number > 1):
                changed.append((spec, display_value(spec, old), display_value(spec, new)))
        diffs.append((version, changed))
        before = version.values
    audit_record(actor=request.user, action="statmon_report_history", obj=report, request=request)
    return render(
        request,
        "statmon/history.html",
        {
            "report": report,
            "campaign": report.campaign,
            "events": selectors.report_events(report),
            "diffs": list(reversed(diffs)),
            "names": {code: spec.name for code, spec in form.indicators.items()},
        },
    )


@staff_required
def report_template(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    form = services.report_form(report)
    suggestions = prefill.suggestions(
        form.applicable(report.centre.kind), [report.centre], Period.parse(period)
    ).get(report.centre_id, {})
    from yakist.statmon.xlsx import template_build  # openpyxl loads on use, not at start-up

    content = template_build(report=report, form=form, suggestions=suggestions)
    audit_record(actor=request.user, action="statmon_template", obj=report, request=request)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="yakist-{period}-{report.centre.code}-v{form.version}.xlsx"'
    )
    return response


@staff_required
@require_POST
def report_upload(request: HttpRequest, period: str, code: str) -> HttpResponse:
    scope, report = _report_or_404(request, period, code)
    form = services.report_form(report)
    upload = request.FILES.get("file")
    if not _editable(scope, report):
        messages.error(request, _refusal(report))
        return redirect("statmon:report", period, code)
    if upload is None:
        messages.error(request, _("Оберіть файл XLSX, заповнений за шаблоном."))
        return redirect("statmon:report", period, code)
    from yakist.statmon.xlsx import template_read

    try:
        content = template_read(report=report, form=form, content=upload_bytes(upload))
        result = services.report_save(
            report=report,
            entries=content.entries,
            comments=content.comments,
            base=content.base,
            draft_version=content.draft_version,
            actor=request.user,
            action="upload",
            request=request,
        )
    except Problem as problem:  # TemplateRefused included
        messages.error(request, _problem_text(problem))
        return redirect("statmon:report", period, code)
    cell_errors = list(content.errors) + [
        {"cell": content.cells.get(c, ""), "code": c, "message": str(e)}
        for c, e in result.errors.items()
    ]
    report.refresh_from_db()
    if cell_errors or result.conflicts:
        messages.warning(
            request,
            _(
                "Файл прочитано: змінено значень — %(n)s; помилок у клітинках — %(e)s, "
                "конфліктів — %(c)s. Некоректні значення збережено як введені й позначено."
            )
            % {"n": len(result.changed), "e": len(cell_errors), "c": len(result.conflicts)},
        )
        return _render_report(
            request,
            report,
            form,
            editable=True,
            posted={c.code: c.yours for c in result.conflicts},
            conflicts=result.conflicts,
            cell_errors=cell_errors,
            status=422 if cell_errors else 409,
        )
    messages.success(
        request, _("Файл прочитано: змінено значень — %(n)s.") % {"n": len(result.changed)}
    )
    return redirect("statmon:report", period, code)


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
            "sections": _rollup_sections(data, area),
            "completeness": [region.completeness for region in data.regions],
        },
    )


def _rollup_sections(data: rollup.Rollup, area: rollup.Area | None = None):
    area = area or data.national
    wanted = {spec.code for spec in data.indicators}
    result = []
    for section in data.form.sections:
        rows = []
        for code in section.codes:
            if code not in wanted:
                continue
            spec = data.form.indicators[code]
            cell, before = area.cells[code], area.previous.get(code)
            rows.append(
                {"spec": spec, "cell": cell, "before": before, "change": cell.change(before)}
            )
        if rows:
            result.append((section, rows))
    return result


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
            "sections": _rollup_sections(data, area),
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
