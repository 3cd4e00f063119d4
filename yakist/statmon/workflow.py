"""What every change of a report or campaign shares: who may make it, who made it, and the
report event it leaves (the history people see on the report's page).

Report editing (drafts.py) and the campaign and review workflow (services.py) both build on
these, so the rules for roles and scope are stated once.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yakist.accounts.enums import Role
from yakist.accounts.scope import Scope, require_write
from yakist.core.problems import Forbidden
from yakist.statmon import selectors
from yakist.statmon.models import Report, ReportEvent

EDITORS = {Role.CENTRE_ADMIN, Role.SYSTEM_INTEGRATOR}
REVIEWERS = {Role.REGIONAL_COORDINATOR, Role.MINISTRY_ANALYST}
MANAGERS = {Role.MINISTRY_ANALYST}


# --- Permissions --------------------------------------------------------------------------------


def _role_allows(scope: Scope, roles: set[str]) -> bool:
    return scope.superuser or scope.role in roles


def can_edit(scope: Scope) -> bool:
    return _role_allows(scope, EDITORS)


def can_review(scope: Scope) -> bool:
    return _role_allows(scope, REVIEWERS)


def can_correct(scope: Scope) -> bool:
    return _role_allows(scope, EDITORS | REVIEWERS)


def can_manage(scope: Scope) -> bool:
    return _role_allows(scope, MANAGERS)


def require_allowed(actor, report: Report | None, allowed) -> None:
    """The actor's role must allow the action and the report must be in the actor's scope."""
    scope = require_write(actor)
    if scope is None:
        return  # commands and the demo act as the system
    if not allowed(scope):
        raise Forbidden(_("Ваша роль не дозволяє цю дію."))
    if report is not None and not selectors.report_in_scope(scope, report):
        raise Forbidden(_("Цей звіт поза вашою зоною відповідальності."))


# --- Who acted, and the event it leaves -----------------------------------------------------------


def actor_name(actor) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return "system"


def actor_user(actor):
    """The person to store as the actor; None for commands and the demo."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def event_record(
    report: Report,
    *,
    action: str,
    actor,
    from_status: str = "",
    comment: str = "",
    version: int | None = None,
    changes: dict | None = None,
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        action=action,
        from_status=from_status,
        to_status=report.status,
        comment=comment,
        version_number=version,
        changes=changes or {},
    )


def report_locked(report: Report) -> Report:
    """The report re-read under a row lock, for a change that must not interleave."""
    return Report.objects.select_for_update().select_related("campaign", "centre").get(pk=report.pk)
