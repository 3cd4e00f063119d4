"""Staff pages of one quarterly report: filling it (web form or XLSX template), review,
correction and its history. What the pages show is built in viewmodels.py; what they post is
read in formdata.py.
"""

from __future__ import annotations

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
from yakist.statmon import drafts, formdata, prefill, selectors, services, workflow
from yakist.statmon.models import Report, ReportStatus
from yakist.statmon.specs import FormSpec
from yakist.statmon.viewmodels import (
    problem_text,
    report_sections,
    review_findings,
    review_sections,
    unsaved_entries,
    version_diffs,
)


def _report_or_404(request: HttpRequest, period: str, code: str) -> tuple[Scope, Report]:
    scope = scope_of(request.user)
    report = selectors.report_get_for(scope, period=period, centre_code=code)
    if report is None:
        raise Http404  # the same answer whether it does not exist or is out of scope
    return scope, report


def _editable(scope: Scope, report: Report) -> bool:
    return (
        report.is_editable
        and workflow.can_edit(scope)
        and (report.campaign.is_open or report.revision > 0)
    )


def _refusal(report: Report) -> str:
    """Why this report takes no changes now, in words the centre can act on."""
    if report.is_editable and not report.campaign.is_open and report.revision == 0:
        return drafts.campaign_closed_detail(report.campaign)
    return _("Цей звіт зараз не можна змінювати: його стан — «%(status)s».") % {
        "status": report.get_status_display()
    }


def _to_report(report: Report, anchor: str = "") -> HttpResponse:
    url = reverse("statmon:report", args=[report.campaign.period, report.centre.code])
    return redirect(f"{url}#sec-{anchor}" if anchor and anchor != "all" else url)


# --- The report page ----------------------------------------------------------------------------


@staff_required
def report_page(request: HttpRequest, period: str, code: str) -> HttpResponse:
    scope, report = _report_or_404(request, period, code)
    form = drafts.report_form(report)
    editable = _editable(scope, report)
    if request.method == "POST":
        if not workflow.can_edit(scope):
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
    posted = formdata.posted_report(request.POST, form, report.centre.kind)
    unsaved = unsaved_entries(report, form, posted.entries, posted.comments)
    if not unsaved:
        return redirect("statmon:report", report.campaign.period, report.centre.code)
    return _render_report(request, report, form, editable=False, unsaved=unsaved, status=409)


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
    sections = report_sections(
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
        "can_review": workflow.can_review(scope) and report.status == ReportStatus.SUBMITTED,
        "can_correct": workflow.can_correct(scope)
        and report.status in (ReportStatus.ACCEPTED, ReportStatus.LOCKED),
        "can_edit": workflow.can_edit(scope),
        "findings_review": review_findings(report),
        "review_sections": [] if editable else review_sections(report, form),
        "versions": selectors.report_versions(report),
        "has_previous": bool(selectors.previous_answers(report)) if editable else False,
    }
    return render(request, "statmon/report.html", context, status=status)


def _report_post(request: HttpRequest, report: Report, form: FormSpec) -> HttpResponse:
    """Save what was posted, then do what the pressed button asks (copy, submit)."""
    posted = formdata.posted_report(request.POST, form, report.centre.kind)
    try:
        result = drafts.report_save(
            report=report,
            entries=posted.entries,
            base=posted.base,
            comments=posted.comments,
            draft_version=formdata.draft_version(request.POST),
            actor=request.user,
            request=request,
        )
    except Problem as problem:
        messages.error(request, problem_text(problem))
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
            posted=posted.entries,
            conflicts=result.conflicts,
            status=409,
        )
    action = request.POST.get("action", "save")
    if action == "copy":
        _copy_previous(request, report)
    elif action == "submit":
        return _submit(request, report, form)
    elif result.errors:
        messages.warning(
            request,
            _("Чернетку збережено, але %(n)s значень некоректні — їх позначено; виправте.")
            % {"n": len(result.errors)},
        )
    else:
        messages.success(request, _("Чернетку збережено."))
    return _to_report(report, request.POST.get("save") or "")


def _copy_previous(request: HttpRequest, report: Report) -> None:
    copied = drafts.report_copy_previous(report=report, actor=request.user, request=request)
    messages.success(
        request,
        _("Скопійовано відповідей з минулого кварталу: %(n)s (лише в порожні поля).")
        % {"n": copied}
        if copied
        else _("Копіювати нічого: відповіді минулого кварталу вже є або поля заповнені."),
    )


def _submit(request: HttpRequest, report: Report, form: FormSpec) -> HttpResponse:
    try:
        services.report_submit(report=report, actor=request.user, request=request)
    except services.ReportInvalid as problem:
        report.refresh_from_db()
        messages.error(request, problem_text(problem))
        return _render_report(request, report, form, editable=True, show_required=True, status=422)
    except Problem as problem:
        messages.error(request, problem_text(problem))
        return _to_report(report, request.POST.get("save") or "")
    messages.success(request, _("Звіт подано на перевірку регіональному координатору."))
    return redirect("statmon:report", report.campaign.period, report.centre.code)


# --- Review, correction, history ----------------------------------------------------------------


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
        messages.error(request, problem_text(problem))
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
        messages.error(request, problem_text(problem))
    else:
        messages.success(
            request,
            _("Розпочато виправлення. Попередня прийнята версія діє, доки нову не буде прийнято."),
        )
    return redirect("statmon:report", period, code)


@staff_required
def report_history(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    form = drafts.report_form(report)
    diffs = version_diffs(form, list(selectors.report_versions(report)))
    audit_record(actor=request.user, action="statmon_report_history", obj=report, request=request)
    return render(
        request,
        "statmon/history.html",
        {
            "report": report,
            "campaign": report.campaign,
            "events": selectors.report_events(report),
            "diffs": diffs,
            "names": {code: spec.name for code, spec in form.indicators.items()},
        },
    )


# --- The XLSX template --------------------------------------------------------------------------


@staff_required
def report_template(request: HttpRequest, period: str, code: str) -> HttpResponse:
    _scope, report = _report_or_404(request, period, code)
    form = drafts.report_form(report)
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
    form = drafts.report_form(report)
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
        result = drafts.report_save(
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
        messages.error(request, problem_text(problem))
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
