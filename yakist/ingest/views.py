"""Staff pages of the intake: the event flow of each connected system."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakist.accounts.decorators import staff_required
from yakist.accounts.scope import Scope, scope_of
from yakist.core.problems import CATALOGUE
from yakist.ingest import selectors
from yakist.registry import selectors as registry_selectors


def _reasons(pairs) -> list[dict]:
    return [
        {
            "slug": slug,
            "count": count,
            "title": str(CATALOGUE[slug].title) if slug in CATALOGUE else slug,
        }
        for slug, count in pairs
    ]


@staff_required
def systems(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    activity = selectors.systems_activity(scope)
    for item in activity:
        item.reasons = _reasons(item.top_reasons)
    return render(request, "ingest/systems.html", {"activity": activity, "now": timezone.now()})


@staff_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    system = registry_selectors.systems_for(scope).filter(pk=pk).first()
    if system is None:
        raise Http404
    activity = next(a for a in selectors.systems_activity(scope) if a.system.pk == pk)
    activity.reasons = _reasons(activity.top_reasons)
    entries = list(selectors.journal_for(scope, system=system))
    for entry in entries:
        entry.reasons = _reasons(sorted(entry.rejection_types.items(), key=lambda kv: -kv[1]))
    return render(
        request,
        "ingest/system.html",
        {
            "system": system,
            "activity": activity,
            "entries": entries,
            "data_lists": list(system.data_lists.all()),
        },
    )


def home_panel(request: HttpRequest, scope: Scope) -> dict | None:
    """Silent connected systems, on the staff home page."""
    if not scope.is_staff:
        return None
    silent = [a for a in selectors.systems_activity(scope) if a.silent]
    return {"template": "ingest/_panel.html", "silent": silent}


def staff_nav(request: HttpRequest, scope: Scope) -> list[dict]:
    if not scope.is_staff:
        return []
    items = [{"url": reverse("ingest:systems"), "label": _("Потік подій систем")}]
    if scope.centre_id or (scope.role == "provider_officer" and scope.organisation_id):
        items.append({"url": reverse("ingest:upload"), "label": _("Завантаження справ з файлу")})
    return items
