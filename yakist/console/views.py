"""The staff home: who you are, what is in your scope, and each stage's panel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yakist.accounts.scope import scope_of
from yakist.console.panels import links_for, panels_for
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
        "panels": panels_for(request, scope),
        "staff_links": links_for(request, scope),
    }
    return render(request, "console/home.html", context)
