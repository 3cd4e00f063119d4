"""Staff home page per role, and the audit log."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from yakist.accounts import selectors
from yakist.accounts.scope import scope_of
from yakist.registry import selectors as registry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    centres = registry.centres_for(scope)
    context = {
        "scope": scope,
        "profile": getattr(request.user, "staff_profile", None),
        "centre_count": centres.count(),
        "centres": centres[:10],
        "systems": registry.systems_for(scope)[:10],
        # Later stages of the flow add their panels and links through settings.
        "panels": [import_string(path)(request, scope) for path in settings.STAFF_HOME_PANELS],
        "staff_links": [
            link for path in settings.STAFF_NAV for link in import_string(path)(request, scope)
        ],
    }
    return render(request, "accounts/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.can_read_audit:
        raise PermissionDenied
    entries = selectors.audit_entries_for(
        scope, action=request.GET.get("action") or None, actor=request.GET.get("actor") or None
    ).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "filters": request.GET})
