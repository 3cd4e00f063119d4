"""Public pages (good practice, measures with their measured effect, external survey reports,
open data files) and the staff register of problems and measures. Views stay thin: reads
through selectors with the viewer's scope, writes through services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import scope_of
from yakist.core.problems import Problem as DomainError
from yakist.feedback import selectors as feedback_selectors
from yakist.feedback.selectors import message_get_for
from yakist.improvement import effect, opendata, selectors, services
from yakist.improvement.models import Problem
from yakist.improvement.subjects import own_subject, subject_resolve
from yakist.improvement.surveys import survey_report
from yakist.indicators.selectors import definitions_in_force
from yakist.portal.views import cached_page

PUBLIC = [services.PUBLIC_TAG]


# --- Public ---


@cached_page(lambda kw: PUBLIC)
def practices(request: HttpRequest) -> HttpResponse:
    items = list(selectors.practices_public())
    by_topic: dict[str, list] = {}
    for practice in items:
        by_topic.setdefault(practice.topic, []).append(practice)
    return render(
        request,
        "improvement/practices.html",
        {"by_topic": by_topic, "count": len(items), "feedback_subject": "national"},
    )


@cached_page(lambda kw: PUBLIC)
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.measure_public(pk)
    if found is None:
        raise Http404
    return render(
        request,
        "improvement/measure.html",
        {"measure": found, "readings": effect.readings(found), "feedback_subject": "national"},
    )


@cached_page(lambda kw: PUBLIC)
def surveys(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "improvement/surveys.html",
        {"reports": selectors.survey_reports_public(), "feedback_subject": "national"},
    )


@cached_page(lambda kw: PUBLIC)
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.survey_report_public(pk)
    if report is None:
        raise Http404
    return render(
        request,
        "improvement/survey.html",
        {"report": report, "content": survey_report(report.survey), "feedback_subject": "national"},
    )


@require_safe
def dataset(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    return opendata.dataset_response(name, fmt)


# --- Staff ---


def staff_nav(request: HttpRequest, scope) -> list[dict]:
    if not scope.is_staff:
        return []
    return [{"url": "/improvement/", "label": _("Проблеми і заходи")}]


@staff_required
@require_safe
def register(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    return render(
        request,
        "improvement/register.html",
        {
            "problems": selectors.problems_for(scope, status=status, kind=kind, region=region)[
                :300
            ],
            "grouped": selectors.problems_grouped(scope),
            "measures": selectors.measures_for(scope)[:100],
            "statuses": Problem.Status.choices,
            "kinds": Problem.Kind.choices,
            "filters": {"status": status, "kind": kind, "region": region},
            "can_write": scope.role not in (None, "auditor", "system_integrator")
            or scope.superuser,
        },
    )


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise services.ValidationFailed(
            _("«%(f)s»: дата має бути у форматі РРРР-ММ-ДД.") % {"f": name}
        ) from None


@staff_required
@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    data = request.POST if request.method == "POST" else {"subject": own_subject(scope)}
    if request.method == "POST":
        try:
            message = None
            code = data.get("message", "").strip()
            if code:
                message = message_get_for(scope, tracking_code=code)
                if message is None:
                    raise services.ValidationFailed(_("Повідомлення з таким кодом не знайдено."))
            problem = services.problem_raise(
                actor=request.user,
                subject=subject_resolve(data.get("subject", "")),
                title=data.get("title", ""),
                description=data.get("description", ""),
                owner=data.get("owner", ""),
                message=message,
            )
        except DomainError as error:
            return render(
                request,
                "improvement/problem_new.html",
                {"data": data, "error": error.detail or error.title},
                status=error.status,
            )
        return redirect("improvement:problem", pk=problem.pk)
    return render(request, "improvement/problem_new.html", {"data": data})


@staff_required
@require_http_methods(["GET", "POST"])
def problem(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    found = selectors.problem_get_for(scope, pk)
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "practice":
                measure = (
                    selectors.measures_for(scope, problem=found)
                    .filter(pk=request.POST.get("measure") or 0)
                    .first()
                )
                if measure is None:
                    raise services.ValidationFailed(_("Оберіть захід цієї проблеми."))
                services.practice_mark(
                    actor=request.user,
                    problem=found,
                    measure=measure,
                    topic=request.POST.get("topic", ""),
                    summary=request.POST.get("summary", ""),
                    contact_body=request.POST.get("contact_body", ""),
                    contact_details=request.POST.get("contact_details", ""),
                )
                flash.success(request, _("Проблему позначено як добру практику."))
            else:
                services.problem_transition(
                    actor=request.user, problem=found, status=request.POST.get("status", "")
                )
                flash.success(request, _("Стан змінено."))
        except DomainError as error:
            flash.error(request, str(error.detail or error.title))
        return redirect("improvement:problem", pk=found.pk)
    return render(
        request,
        "improvement/problem.html",
        {
            "problem": found,
            "measures": selectors.measures_for(scope, problem=found),
            "next_states": [
                (s, Problem.Status(s).label) for s in services.TRANSITIONS.get(found.status, ())
            ],
            "can_mark": services.can_mark_practice(scope, found)
            and found.status == Problem.Status.RESOLVED,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    definitions = list(definitions_in_force(dt.date.today()))
    problem_id = request.GET.get("problem") or request.POST.get("problem") or ""
    linked = selectors.problem_get_for(scope, int(problem_id)) if problem_id.isdigit() else None
    data = (
        request.POST
        if request.method == "POST"
        else {
            "subject": f"{linked.subject_type}:{linked.subject_key}"
            if linked
            else own_subject(scope)
        }
    )
    context = {
        "data": data,
        "definitions": definitions,
        "problem": linked,
        "chosen": data.getlist("indicators") if hasattr(data, "getlist") else [],
    }
    if request.method == "POST":
        try:
            started = _date(data.get("started_on", ""), _("розпочато"))
            if started is None:
                raise services.ValidationFailed(_("Вкажіть дату початку заходу."))
            measure = services.measure_record(
                actor=request.user,
                subject=subject_resolve(data.get("subject", "")),
                title=data.get("title", ""),
                description=data.get("description", ""),
                responsible_body=data.get("responsible_body", ""),
                started_on=started,
                completed_on=_date(data.get("completed_on", ""), _("завершено")),
                indicators_aimed=data.getlist("indicators"),
                problem=linked,
                addresses=data.get("addresses", ""),
            )
        except DomainError as error:
            return render(
                request,
                "improvement/measure_new.html",
                {**context, "error": error.detail or error.title},
                status=error.status,
            )
        return redirect("improvement_public:measure", pk=measure.pk)
    return render(request, "improvement/measure_new.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def survey_reports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            survey_obj = feedback_selectors.external_survey_get(request.POST.get("survey"))
            if survey_obj is None:
                raise services.ValidationFailed(_("Опитування не знайдено."))
            services.survey_report_publish(
                actor=request.user, survey=survey_obj, notes=request.POST.get("notes", "")
            )
            flash.success(request, _("Звіт оприлюднено."))
        except DomainError as error:
            flash.error(request, str(error.detail or error.title))
        return redirect("improvement:survey_reports")
    scope = scope_of(request.user)
    visible = scope.is_national
    return render(
        request,
        "improvement/survey_reports.html",
        {"surveys": feedback_selectors.external_surveys_with_reports() if visible else []},
    )
