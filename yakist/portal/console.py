"""Staff console of publication: what is due and late, each report's workflow, bulk
publication by the ministry, subjects' own website addresses. Scoped by the viewer's role."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakist.accounts.enums import Role
from yakist.accounts.scope import Scope, scope_of
from yakist.core.periods import Period, kyiv_now
from yakist.core.problems import Problem
from yakist.portal import presenting, schedule, selectors, services, sources
from yakist.portal.snapshot import canonical_json

STATUS_LABELS = {
    "not_started": (gettext_lazy("не розпочато"), "neutral"),
    "overdue": (gettext_lazy("прострочено"), "bad"),
    "blocked": (gettext_lazy("бракує даних"), "bad"),
    "prepared": (gettext_lazy("підготовлено"), "info"),
    "approved": (gettext_lazy("погоджено"), "info"),
    "published": (gettext_lazy("оприлюднено вчасно"), "ok"),
    "published_late": (gettext_lazy("оприлюднено із запізненням"), "warn"),
}


def _staff(request: HttpRequest) -> Scope:
    scope = scope_of(request.user)
    if not scope.is_staff:
        raise PermissionDenied
    return scope


def _today():
    return kyiv_now().date()


def _deadline(request: HttpRequest):
    deadlines = schedule.open_deadlines(_today())
    wanted = request.GET.get("period") or request.POST.get("period")
    chosen = next((d for d in deadlines if d.period.code == wanted), None)
    return chosen or (deadlines[0] if deadlines else None), deadlines


@login_required
def schedule_page(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    deadline, deadlines = _deadline(request)
    subject_type = request.GET.get("type") or None
    status = request.GET.get("status") or None
    rows = selectors.due_rows(
        scope, deadline=deadline, today=_today(), types=[subject_type] if subject_type else None
    )
    counts = Counter(row.status for row in rows)
    if status:
        rows = [row for row in rows if row.status == status]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page:
        row.label, row.badge = STATUS_LABELS[row.status]
        row.can_act = services.can_act(
            scope,
            subject_type=row.subject.type,
            region=row.subject.region_code,
            centre_id=row.subject.centre_id,
            provider_id=row.subject.provider_id,
            key=row.subject.key,
        )
    return render(
        request,
        "portal/console/schedule.html",
        {
            "deadline": deadline,
            "deadlines": deadlines,
            "page": page,
            "counts": [(key, *STATUS_LABELS[key], counts.get(key, 0)) for key in STATUS_LABELS],
            "filters": request.GET,
            "types": sources_types(),
            "can_bulk": scope.superuser or scope.role == Role.MINISTRY_ANALYST,
            "rules": schedule.rules(),
            "today": _today(),
        },
    )


def sources_types():
    return [
        ("centre", _("ЦНАП")),
        ("provider", _("суб'єкти надання")),
        ("hromada", _("громади")),
        ("region", _("регіони")),
        ("nation", _("Україна")),
    ]


def _back(request: HttpRequest) -> str:
    """The console page the form came from, if it is a page of this site; else the schedule."""
    back = request.POST.get("back") or ""
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("publication:schedule")


def _subject_from(request: HttpRequest):
    subject = sources.subject_get(
        request.POST.get("subject_type", ""), request.POST.get("subject_key", "")
    )
    if subject is None:
        raise Http404
    return subject


@login_required
@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    subject = _subject_from(request)
    try:
        period = Period.parse(request.POST.get("period", ""))
        publication = services.publication_prepare(
            subject=subject,
            period=period,
            scope=scope,
            actor=request.user,
            reason=request.POST.get("reason", "")[:2000],
            request=request,
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("publication:schedule")
    except Problem as problem:
        messages.error(request, str(problem.detail or problem.title))
        return redirect(_back(request))
    if publication.missing:
        messages.warning(request, services.missing_reason(publication.missing))
    else:
        messages.success(request, _("Звіт підготовлено. Перевірте й погодьте його."))
    return redirect("publication:detail", pk=publication.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    publication = selectors.publication_get_for(scope, pk)
    if publication is None:
        raise Http404
    subject = sources.subject_get(publication.subject_type, publication.subject_key)
    live = None
    if subject is not None and publication.is_public:
        rebuilt = services.snapshot.build(
            period=Period.parse(publication.period), subjects=[subject]
        )
        live = rebuilt[subject.ref]
    return render(
        request,
        "portal/console/detail.html",
        {
            **presenting.present(publication),
            "subject": subject,
            "can_act": subject is not None
            and services.can_act(
                scope,
                subject_type=subject.type,
                region=subject.region_code,
                centre_id=subject.centre_id,
                provider_id=subject.provider_id,
                key=subject.key,
            ),
            "changed_since": live is not None
            and _figures(live.content) != _figures(selectors.content_of(publication)),
            "missing_reason": services.missing_reason(publication.missing)
            if publication.missing
            else "",
            "history": selectors.publications_for(scope)
            .filter(
                subject_type=publication.subject_type,
                subject_key=publication.subject_key,
                period=publication.period,
            )
            .order_by("-version"),
        },
    )


def _figures(content: dict) -> str:
    """What a reader sees, without timestamps: to tell whether the data changed."""
    return canonical_json({k: content.get(k) for k in ("indicators", "coverage", "rating")})


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = _staff(request)
    publication = selectors.publication_get_for(scope, pk)
    if publication is None:
        raise Http404
    actions = {"approve": services.publication_approve, "publish": services.publication_publish}
    if action not in actions:
        raise Http404
    try:
        actions[action](publication=publication, scope=scope, actor=request.user, request=request)
    except Problem as problem:
        messages.error(request, str(problem.detail or problem.title))
    else:
        messages.success(request, _("Погоджено.") if action == "approve" else _("Оприлюднено."))
    return redirect("publication:detail", pk=pk)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    try:
        period = Period.parse(request.POST.get("period", ""))
        region = request.POST.get("region") or None
        subjects = sources.subjects_all(region=region)
        report = services.publication_publish_bulk(
            period=period, subjects=subjects, scope=scope, actor=request.user, request=request
        )
    except ValueError as error:
        messages.error(request, str(error))
    except Problem as problem:
        messages.error(request, str(problem.detail or problem.title))
    else:
        messages.success(
            request,
            _("Оприлюднено %(published)s звітів; уже були оприлюднені чи в роботі: %(already)s.")
            % {"published": report.published, "already": report.already},
        )
        for reason, count in report.blocked.items():
            messages.warning(
                request, _("Заблоковано (%(n)s): %(reason)s") % {"n": count, "reason": reason}
            )
    return redirect(f"/publication/?period={request.POST.get('period', '')}")


@login_required
def website(request: HttpRequest) -> HttpResponse:
    """Register the page of the subject's own website where it publishes its reports."""
    scope = _staff(request)
    subject_type = request.POST.get("subject_type") or request.GET.get("subject_type", "")
    key = request.POST.get("subject_key") or request.GET.get("subject_key", "")
    subject = sources.subject_get(subject_type, key)
    if subject is None:
        raise Http404
    if not services.can_act(
        scope,
        subject_type=subject.type,
        region=subject.region_code,
        centre_id=subject.centre_id,
        provider_id=subject.provider_id,
        key=subject.key,
    ):
        raise PermissionDenied
    link = selectors.subject_link(subject.type, subject.key)
    error = None
    status = 200
    if request.method == "POST":
        try:
            link = services.subject_external_url_set(
                subject=subject,
                url=request.POST.get("url", ""),
                scope=scope,
                actor=request.user,
                request=request,
            )
        except Problem as problem:
            error = str(problem.detail or problem.title)
            status = 400
        else:
            messages.success(request, _("Адресу збережено."))
            return redirect(
                f"/publication/website?subject_type={subject.type}&subject_key={subject.key}"
            )
    return render(
        request,
        "portal/console/website.html",
        {
            "subject": subject,
            "link": link,
            "error": error,
            "value": request.POST.get("url", link.external_url if link else ""),
        },
        status=status,
    )


def staff_nav(request: HttpRequest, scope: Scope) -> list[dict]:
    if scope.role in (None, Role.SYSTEM_INTEGRATOR) and not scope.superuser:
        return []
    return [{"url": "/publication/", "label": _("Оприлюднення")}]


def home_panel(request: HttpRequest, scope: Scope) -> dict | None:
    if scope.role in (None, Role.SYSTEM_INTEGRATOR) and not scope.superuser:
        return None
    deadlines = schedule.open_deadlines(_today())
    upcoming = [d for d in deadlines if d.due_on >= _today()]
    return {
        "template": "portal/console/_panel.html",
        "deadlines": deadlines[:4],
        "next": min(upcoming, key=lambda d: d.due_on) if upcoming else None,
    }
