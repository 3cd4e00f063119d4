"""Retention of personal data without an operator: run daily by the worker (`yakist events
work`) and by `yakist events purge`; each period is a setting (docs/operations.md).

The same run keeps the month partitions of the intake tables (yakist.ingest.partitions): it
makes the months ahead before anything else, and drops whole months past the events'
retention, if one is set."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

RETENTION_EVERY = dt.timedelta(days=1)


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what has outlived its period; return how many of each were removed. The run is
    audited (counts only), so an assessor can see that retention happens."""
    from yakist.accounts.services import audit_addresses_purge, audit_record
    from yakist.feedback.services import feedback_contacts_purge, survey_comments_purge
    from yakist.ingest.partitions import intake_months_purge, partitions_ensure
    from yakist.ingest.services import journal_bodies_purge

    now = now or timezone.now()
    partitions_ensure(now=now)
    removed = {
        "journal_bodies": journal_bodies_purge(
            older_than_days=settings.INGEST_JOURNAL_RETENTION_DAYS, now=now
        ),
        "feedback_contacts": feedback_contacts_purge(
            older_than_days=settings.FEEDBACK_CONTACT_RETENTION_DAYS, now=now
        ),
        "survey_comments": survey_comments_purge(
            older_than_days=settings.SURVEY_COMMENT_RETENTION_DAYS, now=now
        ),
        "audit_addresses": audit_addresses_purge(
            older_than_days=settings.AUDIT_IP_RETENTION_DAYS, now=now
        ),
        "intake_months": intake_months_purge(
            older_than_months=settings.INGEST_EVENT_RETENTION_MONTHS, now=now
        ),
    }
    audit_record(action="retention_run", object_type="core.retention", changes=removed)
    return removed
