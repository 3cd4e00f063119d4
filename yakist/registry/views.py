"""Staff pages of the registry: centres, services, connected systems, import/export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import scope_of
from yakist.accounts.services import audit_record
from yakist.core.problems import Problem
from yakist.core.spreadsheets import XLSX_CONTENT_TYPE, upload_bytes
from yakist.registry import exporting, importers, selectors
from yakist.registry.enums import Status
from yakist.registry.filelayout import KINDS
from yakist.registry.models import Centre


@staff_required
def centres(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    filters = {
        "region": request.GET.get("region") or None,
        "kind": request.GET.get("kind") or None,
        "status": request.GET.get("status") or None,
        "search": (request.GET.get("q") or "").strip()[:100] or None,
    }
    queryset = selectors.centres_for(scope, **filters)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/centres.html",
        {
            "page": page,
            "filters": request.GET,
            "regions": selectors.regions(),
            "kinds": Centre.Kind.choices,
            "statuses": Status.choices,
            "total": page.paginator.count,
        },
    )


@staff_required
def centre_detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request.user)
    centre = selectors.centre_get_for(scope, code=code)
    if centre is None:
        raise Http404  # the same answer whether it does not exist or is out of scope
    access_points = selectors.centres_for(scope).filter(parent=centre)
    return render(
        request, "registry/centre.html", {"centre": centre, "access_points": access_points}
    )


@staff_required
def services(request: HttpRequest) -> HttpResponse:
    search = (request.GET.get("q") or "").strip()[:100] or None
    rows = [(s, selectors.current_term(s)) for s in selectors.services_public(search=search)]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "registry/services.html", {"page": page, "filters": request.GET})


@staff_required
def systems(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    return render(request, "registry/systems.html", {"systems": selectors.systems_for(scope)})


@staff_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.can_edit_registry:
        raise PermissionDenied
    report = None
    if request.method == "POST":
        kind = request.POST.get("kind")
        upload = request.FILES.get("file")
        if kind not in KINDS or upload is None:
            messages.error(request, _("Оберіть вид даних і файл CSV або XLSX."))
        else:
            try:
                report = importers.registry_import(
                    kind=kind,
                    filename=upload.name,
                    content=upload_bytes(upload),
                    allow_partial=request.POST.get("partial") == "1",
                    dry_run=request.POST.get("dry_run") == "1",
                    actor=request.user,
                )
            except Problem as problem:
                messages.error(request, str(problem.detail or problem.title))
            else:
                if report.applied:
                    messages.success(
                        request,
                        _("Імпорт виконано: створено %(c)s, оновлено %(u)s, без змін %(n)s.")
                        % {"c": report.created, "u": report.updated, "n": report.unchanged},
                    )
                elif report.errors:
                    messages.error(
                        request,
                        _("Файл містить помилки (%(n)s). Нічого не змінено.")
                        % {"n": len(report.errors)},
                    )
                else:
                    messages.info(request, _("Перевірку завершено: помилок немає."))
    return render(request, "registry/import.html", {"report": report, "kinds": KINDS})


@staff_required
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.can_edit_registry:
        raise PermissionDenied
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    content = exporting.registry_export(kind=kind, fmt=fmt)
    audit_record(
        actor=request.user,
        action="export",
        object_type=f"registry.{kind}",
        summary=f"{kind}.{fmt}",
        request=request,
    )
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="yakist-{kind}.{fmt}"'
    return response
