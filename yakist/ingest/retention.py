"""What the intake keeps for a limited time: raw request bodies of projected journal entries."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yakist.core.retention import retention_task
from yakist.ingest.partitions import intake_months_purge, partitions_ensure
from yakist.ingest.services import journal_bodies_purge


@retention_task("journal_bodies")
def journal_bodies(now: dt.datetime) -> int:
    return journal_bodies_purge(older_than_days=settings.INGEST_JOURNAL_RETENTION_DAYS, now=now)


@retention_task("intake_months")
def intake_months(now: dt.datetime) -> int:
    """Keep the month partitions of the intake tables: make the months ahead, then drop whole
    months past the events' retention, if one is set (yakist.ingest.partitions)."""
    partitions_ensure(now=now)
    return intake_months_purge(older_than_months=settings.INGEST_EVENT_RETENTION_MONTHS, now=now)
