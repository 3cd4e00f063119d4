"""What accounts keeps for a limited time (client addresses of audit entries), and the audit
entry of every retention run (counts only), so an assessor can see that retention happens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.dispatch import receiver

from yakist.accounts.services import audit_addresses_purge, audit_record
from yakist.core.retention import retention_done, retention_task


@retention_task("audit_addresses")
def audit_addresses(now: dt.datetime) -> int:
    return audit_addresses_purge(older_than_days=settings.AUDIT_IP_RETENTION_DAYS, now=now)


@receiver(retention_done)
def retention_audited(sender, removed: dict[str, int], **_) -> None:
    audit_record(action="retention_run", object_type="core.retention", changes=removed)
