"""Public feedback and survey pages, and the staff queue of messages to answer."""

from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import require_write, scope_of
from yakist.accounts.services import audit_record, client_ip
from yakist.core.problems import Problem, RateLimited
from yakist.feedback import selectors, services
from yakist.feedback.forms import AnswerForm, FeedbackForm, SurveyForm
from yakist.feedback.models import FeedbackMessage, SurveyResponse
from yakist.registry.models.reference import Centre


def _with_language(url: str) -> str:
    """A public feedback URL in the language of the page it is reached from."""
    language = translation.get_language()
    return url if language == settings.LANGUAGE_CODE else f"{url}?lang={language}"


def _form_language(request: HttpRequest) -> None:
    """The inline form on an English page says so in a hidden field (its action has no
    language prefix): answer in that language."""
    language = request.POST.get("lang", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def feedback_new(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(
        initial={
            "subject": request.GET.get("subject", "national")[:100],
            "page": request.GET.get("page", "")[:300],
        }
    )
    return render(request, "feedback/new.html", {"form": form})


# Public pages are served pre-rendered to everyone, so the inline form cannot carry a
# per-visitor CSRF token. The endpoint changes no session state and acts for no account; it is
# protected by a honeypot, size limits and a per-address rate limit instead.
@csrf_exempt
@require_POST
def feedback_submit(request: HttpRequest) -> HttpResponse:
    _form_language(request)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/new.html", {"form": form}, status=400)
    if form.cleaned_data["website"]:
        return render(request, "feedback/thanks.html", {"message": None})  # bots learn nothing
    data = form.cleaned_data
    try:
        message = services.message_submit(
            kind=data["kind"],
            subject=data["subject"],
            page=data["page"],
            text=data["text"],
            contact=data["contact"],
            ip=client_ip(request),
        )
    except RateLimited as limited:
        form.add_error(None, str(limited.detail))
        response = render(request, "feedback/new.html", {"form": form}, status=429)
        response["Retry-After"] = limited.headers["Retry-After"]
        return response
    return redirect(_with_language(reverse("feedback:status", args=[message.tracking_code])))


def feedback_status(request: HttpRequest, code: str) -> HttpResponse:
    message = selectors.message_public(code)
    if message is None:
        raise Http404
    return render(request, "feedback/status.html", {"message": message})


def feedback_lookup(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("code") or "").strip().upper()
    if code and selectors.message_public(code):
        return redirect(_with_language(reverse("feedback:status", args=[code])))
    return render(request, "feedback/lookup.html", {"code": code, "not_found": bool(code)})


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, centre_code: str) -> HttpResponse:
    centre = get_object_or_404(Centre.objects.select_related("territory"), code=centre_code)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["website"]:
            return render(request, "feedback/survey_thanks.html", {"centre": centre})
        data = form.cleaned_data
        source = request.GET.get("source", SurveyResponse.Source.QR)
        if source not in (SurveyResponse.Source.QR, SurveyResponse.Source.WEB):
            source = SurveyResponse.Source.WEB
        try:
            services.survey_submit(
                centre=centre,
                score=data["score"],
                premises=data["premises"],
                staff=data["staff"],
                services_range=data["services_range"],
                overall=data["overall"],
                comment=data["comment"],
                source=source,
                ip=client_ip(request),
            )
        except RateLimited as limited:
            form.add_error(None, str(limited.detail))
            return render(
                request, "feedback/survey.html", {"centre": centre, "form": form}, status=429
            )
        return render(request, "feedback/survey_thanks.html", {"centre": centre})
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/survey.html", {"centre": centre, "form": form}, status=status)


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    state = request.GET.get("state") or None
    items = selectors.messages_for(scope, state=state, overdue=request.GET.get("overdue") == "1")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/queue.html",
        {
            "page": page,
            "filters": request.GET,
            "states": FeedbackMessage.State.choices,
            "counts": selectors.queue_counts(scope),
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def queue_item(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request.user)
    message = selectors.message_get_for(scope, tracking_code=code)
    if message is None:
        raise Http404
    if request.method == "POST":
        require_write(request.user)  # the auditor reads the queue but answers nothing
    # The author's contact is personal data: every look at it is recorded.
    audit_record(actor=request.user, action="feedback_view", obj=message, request=request)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "take":
                services.message_take(message=message, actor=request.user)
            elif action == "reject":
                services.message_reject(
                    message=message, reason=request.POST.get("answer", ""), actor=request.user
                )
            elif form.is_valid():
                services.message_answer(
                    message=message, answer=form.cleaned_data["answer"], actor=request.user
                )
            else:
                return render(
                    request,
                    "feedback/queue_item.html",
                    {"message": message, "form": form, "can_answer": True},
                    status=400,
                )
        except Problem as problem:
            flash.error(request, str(problem.detail or problem.title))
        else:
            flash.success(request, _("Збережено."))
        return redirect("feedback:queue_item", code=message.tracking_code)
    return render(
        request,
        "feedback/queue_item.html",
        {"message": message, "form": form, "can_answer": scope.can_write},
    )


def staff_nav(request: HttpRequest, scope) -> list[dict]:
    if not scope.is_staff:
        return []
    counts = selectors.queue_counts(scope)
    label = _("Звернення громадян")
    if counts["overdue"]:
        label = _("Звернення громадян (прострочено: %(n)s)") % {"n": counts["overdue"]}
    return [{"url": "/feedback/queue/", "label": label}]
