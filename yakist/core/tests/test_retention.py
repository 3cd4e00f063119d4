"""Retention without an operator (issue 11, hole 15): the worker removes personal data whose
period is over — journal bodies, citizens' contacts, survey comments, audit addresses."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from yakist.accounts.models import AuditAddress, AuditEntry
from yakist.accounts.services import audit_record
from yakist.feedback.models import FeedbackMessage, SurveyResponse
from yakist.ingest.models import Journal
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db


def _message(code: str, *, answered_days_ago: int | None) -> FeedbackMessage:
    now = timezone.now()
    answered = now - dt.timedelta(days=answered_days_ago) if answered_days_ago else None
    return FeedbackMessage.objects.create(
        tracking_code=code,
        kind="data_error",
        subject_type="centre",
        text="Дані про центр неточні.",
        contact="citizen@example.org",
        state="answered" if answered else "received",
        answer="Виправлено." if answered else "",
        answered_at=answered,
        received_at=now - dt.timedelta(days=60),
        due_at=now - dt.timedelta(days=45),
    )


def _survey(days_ago: int) -> SurveyResponse:
    centre = Centre.objects.filter(kind="centre").first()
    return SurveyResponse.objects.create(
        centre=centre,
        main_centre=centre,
        region_id=centre.region_id,
        source="qr",
        score=9,
        comment="Дякую, все швидко.",
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def _journal(days_ago: int) -> Journal:
    moment = timezone.now() - dt.timedelta(days=days_ago)
    return Journal.objects.create(
        system=ConnectedSystem.objects.first(),
        received_at=moment,
        processed_at=moment,
        body=b'{"events": []}',
    )


def _audited(days_ago: int) -> AuditEntry:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    entry = audit_record(action="retention_probe", summary=str(days_ago), request=request)
    AuditAddress.objects.filter(entry=entry).update(at=timezone.now() - dt.timedelta(days=days_ago))
    return entry


def test_hole_15_the_worker_runs_retention_without_an_operator(command, settings):
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 30
    old_answer, new_answer = (
        _message("RET-OLD", answered_days_ago=31),
        _message("RET-NEW", answered_days_ago=5),
    )
    still_open = _message("RET-OPEN", answered_days_ago=None)
    old_comment, new_comment = _survey(366), _survey(300)
    old_body, new_body = _journal(settings.INGEST_JOURNAL_RETENTION_DAYS + 1), _journal(3)
    old_audit, new_audit = _audited(366), _audited(10)
    before = AuditEntry.objects.filter(pk=old_audit.pk).values().get()

    command("events", "work", "--once", "--quiet")

    def fresh(obj):
        obj.refresh_from_db()
        return obj

    assert fresh(old_answer).contact == "" and fresh(old_answer).answer == "Виправлено."
    assert fresh(new_answer).contact and fresh(still_open).contact
    assert fresh(old_comment).comment == "" and fresh(old_comment).score == 9
    assert fresh(new_comment).comment
    assert bytes(fresh(old_body).body) == b"" and bytes(fresh(new_body).body)
    assert AuditEntry.objects.get(pk=old_audit.pk).ip is None
    assert AuditEntry.objects.get(pk=new_audit.pk).ip == "203.0.113.7"
    # The entry itself is not touched: only its address, kept apart, is gone.
    assert AuditEntry.objects.filter(pk=old_audit.pk).values().get() == before
    run = AuditEntry.objects.filter(action="retention_run").latest("pk")
    assert run.changes["feedback_contacts"] >= 1 and run.changes["audit_addresses"] >= 1
