"""State changes for people and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from yakist.accounts import auditchain
from yakist.accounts.enums import Role
from yakist.accounts.models import AuditAddress, AuditEntry, StaffProfile
from yakist.core.network import client_ip


def audit_record(
    *,
    actor=None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_name: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        summary = summary or str(obj)[:500]
    entry = AuditEntry(
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        changes=changes or {},
        actor_name=actor_name,
    )
    return audit_record_many(entries=[entry], actor=actor, request=request)[0]


@transaction.atomic
def audit_entry(**fields) -> AuditEntry:
    """An audit entry not yet recorded, for `audit_record_many` (other apps build entries with
    this instead of importing the accounts models)."""
    return AuditEntry(**fields)


def audit_record_many(
    *, entries: list[AuditEntry], actor=None, request: HttpRequest | None = None
) -> list[AuditEntry]:
    """Append entries to the audit trail, in order, chained by hash; the only way rows get there.

    `actor` and `request` fill in who and from where for entries that do not say; appends are
    serialised (yakist.accounts.auditchain.chain_lock) so the chain has no forks. The client
    address is kept apart (AuditAddress); the chain covers its keyed digest.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ip = client_ip(request)
    for entry in entries:
        if entry.actor_id is None and actor is not None:
            entry.actor = actor
        if not entry.actor_name:
            entry.actor_name = entry.actor.get_username() if entry.actor_id else "system"
        entry.actor_name = entry.actor_name[:150]
        entry.object_id = entry.object_id[:80]
        entry.summary = entry.summary[:500]
    auditchain.chain_lock()
    head = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    auditchain.chain_link(entries, head or "", ip=ip)
    created = AuditEntry.objects.bulk_create(entries, batch_size=1000)
    audit_addresses_record(entries=created, ip=ip)
    return created


def audit_addresses_record(*, entries: list[AuditEntry], ip: str | None) -> None:
    """Keep the client address of audit entries apart from them (AuditAddress), so that it
    can be deleted after its retention without changing an entry."""
    if ip:
        AuditAddress.objects.bulk_create(
            [AuditAddress(entry_id=entry.pk, ip=ip, at=entry.at) for entry in entries]
        )


def audit_addresses_purge(*, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Delete client addresses of audit entries older than the retention; the entries stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    deleted, _detail = AuditAddress.objects.filter(at__lt=cutoff).delete()
    return deleted


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    region=None,
    centre=None,
    organisation=None,
    system=None,
    position: str = "",
    actor=None,
):
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    # Only the ministry needs the Django admin for registry upkeep.
    user.is_staff = role == Role.MINISTRY_ANALYST
    user.save(update_fields=["is_staff"])
    StaffProfile.objects.create(
        user=user,
        role=role,
        region=region,
        centre=centre,
        organisation=organisation,
        system=system,
        position=position,
    )
    audit_record(
        actor=actor,
        action="user_create",
        obj=user,
        summary=f"{username}: {Role(role).label}",
        changes={"role": role},
    )
    return user
