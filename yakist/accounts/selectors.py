"""Reading people and the audit trail."""

from django.db.models import QuerySet

from yakist.accounts import auditchain
from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import Scope


def audit_entries_for(
    viewer: Scope,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
) -> QuerySet[AuditEntry]:
    if not viewer.can_read_audit:
        return AuditEntry.objects.none()
    queryset = AuditEntry.objects.all()
    if action:
        queryset = queryset.filter(action=action)
    if actor:
        queryset = queryset.filter(actor_name__iexact=actor)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    return queryset.order_by("-at", "-id")


def audit_chain_report() -> auditchain.ChainReport:
    """The whole audit trail checked link by link (not scoped: an operator's command)."""
    return auditchain.chain_verify(AuditEntry.objects.order_by("id").iterator(chunk_size=2000))
