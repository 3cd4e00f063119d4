"""Reading people and the audit trail."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from yakist.accounts import auditchain
from yakist.accounts.models import AuditEntry, StaffProfile
from yakist.accounts.scope import HROMADA_ROLES, Scope


def audit_entries_for(
    viewer: Scope,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
) -> QuerySet[AuditEntry]:
    if not viewer.can_read_audit:
        return AuditEntry.objects.none()
    queryset = AuditEntry.objects.select_related("address")
    if action:
        queryset = queryset.filter(action=action)
    if actor:
        queryset = queryset.filter(actor_name__iexact=actor)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    return queryset.order_by("-at", "-id")


def hromada_has_official(hromada_code: str) -> bool:
    """Whether an active official of the hromada's council (ОМС) or military administration
    is named: then the hromada approves its own publications, not the oblast."""
    return StaffProfile.objects.filter(
        Q(organisation__territory_id=hromada_code)
        | Q(organisation__territory__hromada_id=hromada_code),
        role__in=HROMADA_ROLES,
        user__is_active=True,
    ).exists()


def audit_chain_report() -> auditchain.ChainReport:
    """The whole audit trail checked link by link (not scoped: an operator's command)."""
    entries = AuditEntry.objects.select_related("address").order_by("id")
    return auditchain.chain_verify(entries.iterator(chunk_size=2000))


def staff_emails(*, role: str, field: str, values: Iterable) -> list[tuple[object, str]]:
    """(value of `field`, e-mail) of active staff with this role whose `field` (centre_id,
    region_id, organisation_id) is one of `values`: who to write to about a subject."""
    return list(
        StaffProfile.objects.filter(role=role, user__is_active=True, **{f"{field}__in": values})
        .exclude(user__email="")
        .values_list(field, "user__email")
    )


def staff_reachable() -> QuerySet[StaffProfile]:
    """Active staff with an e-mail address, with their user loaded."""
    return (
        StaffProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .exclude(user__email="")
    )
