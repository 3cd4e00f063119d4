"""What feedback keeps for a limited time: contacts of closed messages, private comments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yakist.core.retention import retention_task
from yakist.feedback.services import feedback_contacts_purge, survey_comments_purge


@retention_task("feedback_contacts")
def feedback_contacts(now: dt.datetime) -> int:
    return feedback_contacts_purge(
        older_than_days=settings.FEEDBACK_CONTACT_RETENTION_DAYS, now=now
    )


@retention_task("survey_comments")
def survey_comments(now: dt.datetime) -> int:
    return survey_comments_purge(older_than_days=settings.SURVEY_COMMENT_RETENTION_DAYS, now=now)
