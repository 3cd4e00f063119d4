"""What the intake keeps for a limited time: raw request bodies of projected journal entries."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yakist.core.retention import retention_task
from yakist.ingest.services import journal_bodies_purge


@retention_task("journal_bodies")
def journal_bodies(now: dt.datetime) -> int:
    return journal_bodies_purge(older_than_days=settings.INGEST_JOURNAL_RETENTION_DAYS, now=now)
