"""The panels and links of the staff home, offered by each stage and assembled here.

The console sits above every stage (docs/architecture.md), so it imports their panels directly:
a stage that renames its panel breaks the import at start, not a page at run time.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from yakist.accounts.scope import Scope
from yakist.cases import views as cases_views
from yakist.feedback import views as feedback_views
from yakist.improvement import views as improvement_views
from yakist.indicators import views as indicators_views
from yakist.ingest import views as ingest_views
from yakist.portal import console as portal_console
from yakist.statmon import views as statmon_views

Panel = Callable[[HttpRequest, Scope], dict | None]
Links = Callable[[HttpRequest, Scope], list[dict]]

# In the order of the flow: cases, intake, quarterly reports, publication.
PANELS: tuple[Panel, ...] = (
    cases_views.home_panel,
    ingest_views.home_panel,
    statmon_views.home_panel,
    portal_console.home_panel,
)
LINKS: tuple[Links, ...] = (
    cases_views.staff_nav,
    ingest_views.staff_nav,
    statmon_views.nav_links,
    indicators_views.staff_nav,
    feedback_views.staff_nav,
    portal_console.staff_nav,
    improvement_views.staff_nav,
)


def panels_for(request: HttpRequest, scope: Scope) -> list[dict]:
    """Each stage's panel for this viewer; a stage with nothing to show offers None."""
    return [panel for offer in PANELS if (panel := offer(request, scope))]


def links_for(request: HttpRequest, scope: Scope) -> list[dict]:
    return [link for offer in LINKS for link in offer(request, scope)]
