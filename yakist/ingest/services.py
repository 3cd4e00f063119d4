"""Accepting signed event batches: verify, validate, store durably, answer.

The hot path does nothing else. Case state is projected afterwards from what was stored
(`yakist.cases.services.cases_project_pending`, run by `yakist events work`), so a crash
between the answer and the projection loses nothing: the journal row stays pending.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yakist.core.db import sqlite_datetime
from yakist.core.problems import Problem
from yakist.core.ratelimit import enforce_rate_limit
from yakist.ingest import datalist, lookups, problems, store
from yakist.ingest.models import Journal, Nonce
from yakist.ingest.personaldata import journal_body
from yakist.ingest.signatures import Message, request_verify
from yakist.ingest.validation import (
    Validated,
    batch_validate,
    conflict_item,
    same_content,
)
from yakist.registry.enums import SystemState

if TYPE_CHECKING:
    from yakist.registry.models import ConnectedSystem


SIGNED_HEADERS = (
    "Signature-Input",
    "Signature",
    "Content-Digest",
    "Content-Type",
    "Content-Length",
    "User-Agent",
)
KEPT_REJECTIONS = 100  # the journal keeps the first rejections in full, and counts of all


@dataclass
class BatchOutcome:
    journal_id: int
    total: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_response(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(frozen=True)
class Caller:
    """Who sent a batch, as the door it came through authenticated it.

    The signed API (RFC 9421) gives a key and a single-use nonce; the «Трембіта» doors (REST
    and SOAP, yakist.ingest.xroad) give the X-Road client's system and the message id the
    security servers assigned. Everything after authentication is `events_intake`.
    """

    system: ConnectedSystem
    source: str
    headers: dict[str, str]
    key_id: str = ""
    nonce: str = ""
    xroad_id: str = ""


def event_batch_accept(
    *, message: Message, body: bytes, now: dt.datetime | None = None
) -> BatchOutcome:
    """Verify a signed request and store its events. Raises a Problem for whole-request
    errors; otherwise returns what was accepted, what was a resend and what was rejected."""
    now = now or timezone.now()
    verified = request_verify(message=message, body=body, now=now)
    headers = {name: message.headers[name] for name in SIGNED_HEADERS if name in message.headers}
    headers["@method"], headers["@path"] = message.method, urlsplit(message.url).path
    caller = Caller(
        system=verified.key.system,
        source=Journal.Source.API,
        headers=headers,
        key_id=verified.key.key_id,
        nonce=verified.nonce,
    )
    return events_intake(caller=caller, body=body, now=now)


def events_intake(*, caller: Caller, body: bytes, now: dt.datetime) -> BatchOutcome:
    """The one intake behind every door: scope, rate limit, validation, duplicates, journal.

    Raises a Problem for whole-request errors (answered as problem+json or a SOAP Fault)."""
    system = caller.system
    if system.status == SystemState.SUSPENDED:
        raise problems.SystemSuspended(
            _("Приймання подій від системи «%(name)s» призупинено.") % {"name": system.name}
        )
    enforce_rate_limit(
        key=f"ingest:{system.pk}",
        limit=settings.INGEST_RATE_LIMIT_PER_MINUTE,
        window_seconds=60,
    )
    sandbox = system.status == SystemState.TESTING
    batch_error: Problem | None = None
    validated: Validated | None = None
    agreed = datalist.agreed_list(system)
    try:
        validated = batch_validate(
            body=body,
            system_id=system.pk,
            codes=lookups.codes(),
            scope=lookups.system_scope(system),
            now=now,
            agreed=agreed,
        )
    except Problem as problem:
        batch_error = problem
    # The journal never holds a raw applicant reference nor a value cut out as personal data.
    journalled, redacted = journal_body(
        body,
        system_id=system.pk,
        redact=validated.redact if validated is not None else (),
        known=validated.pseudonyms if validated is not None else None,
    )
    headers = dict(caller.headers)
    if caller.xroad_id:
        # What a resend under the same X-Road-Id is compared with (the body may be purged).
        headers["@body-sha256"] = hashlib.sha256(body).hexdigest()
    entry = {
        "system_id": system.pk,
        "key_id": caller.key_id,
        "received_at": now,
        "source": caller.source,
        "sandbox": sandbox,
        "nonce": caller.nonce,
        "xroad_id": caller.xroad_id,
        "headers": headers,
        "body": journalled,
        "redacted": redacted,
        "event_count": 0,
        "accepted": 0,
        "duplicates": 0,
        "rejected": 0,
        "rejection_types": {},
        "rejections": [],
        "batch_error": batch_error.slug if batch_error else "",
        "processed_at": now if validated is None else None,  # nothing to project
        "data_list_version": agreed.version if agreed is not None else None,
    }
    with transaction.atomic():
        if caller.nonce and not nonce_use(key_id=caller.key_id, nonce=caller.nonce, now=now):
            raise problems.SignatureReplayed(
                _("Nonce «%(nonce)s» уже використано з ключем «%(key)s».")
                % {"nonce": caller.nonce, "key": caller.key_id}
            )
        if caller.xroad_id:
            xroad_id_claim(system_id=system.pk, xroad_id=caller.xroad_id, digest=headers)
        if validated is None:
            outcome = BatchOutcome(journal_id=store.journal_insert(**entry))
        else:
            outcome = _store(entry=entry, validated=validated, now=now)
    if batch_error is not None:
        raise batch_error
    return outcome


def xroad_id_claim(*, system_id: int, xroad_id: str, digest: dict[str, str]) -> None:
    """A message id seen before must carry the same body: a resend is answered as usual (its
    events count as duplicates), another body under the same id is a conflict. Runs inside
    the intake's transaction; on PostgreSQL a lock on the id serialises concurrent resends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"xroad:{system_id}:{xroad_id}"],
            )
    earlier = (
        Journal.objects.filter(system_id=system_id, xroad_id=xroad_id)
        .values_list("headers", flat=True)
        .first()
    )
    if earlier is not None and earlier.get("@body-sha256") != digest["@body-sha256"]:
        raise problems.XRoadIdConflict(
            _(
                "Повідомлення з X-Road-Id «%(id)s» уже прийнято з іншим тілом. Повтор має "
                "бути тим самим запитом; новий запит потребує нового ідентифікатора."
            )
            % {"id": xroad_id}
        )


def nonce_use(*, key_id: str, nonce: str, now: dt.datetime) -> bool:
    """Record a nonce; False when it was already used with this key."""
    table = Nonce._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_id, nonce, seen_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            [
                key_id,
                nonce,
                now if connection.vendor == "postgresql" else sqlite_datetime(now),
            ],
        )
        return cursor.rowcount == 1


def _store(*, entry: dict[str, Any], validated: Validated, now: dt.datetime) -> BatchOutcome:
    count = validated.count
    errors = dict(validated.errors)
    duplicates = validated.batch_duplicates
    # Optimistic counts: in the common case nothing was sent before, so the row is written once.
    entry.update(
        event_count=validated.total,
        accepted=count,
        duplicates=duplicates,
        **_rejection_fields(errors, validated),
    )
    if not count:
        entry["processed_at"] = now
    journal_id = store.journal_insert(**entry)
    inserted = store.events_insert(
        sandbox=entry["sandbox"],
        system_id=entry["system_id"],
        journal_id=journal_id,
        received_at=now,
        columns=validated.columns,
    )
    accepted = count
    if inserted < count or validated.batch_conflicts:
        # Some ids were stored before: a resend (duplicate) or a different event (conflict).
        stored = store.events_stored(
            sandbox=entry["sandbox"],
            system_id=entry["system_id"],
            event_ids=validated.columns[0],
        )
        accepted = 0
        for index, row in zip(validated.indexes, validated.rows, strict=True):
            stored_journal, stored_row = stored[row[0]]
            if stored_journal == journal_id:
                accepted += 1
            elif same_content(stored_row, row):
                duplicates += 1
            else:
                errors[index] = [conflict_item(row[0])]
                validated.event_ids[index] = row[0]
        for index, row in validated.batch_conflicts.items():
            # The event's first copy in this batch is stored or was stored before.
            stored_journal, stored_row = stored[row[0]]
            if stored_journal != journal_id and same_content(stored_row, row):
                duplicates += 1
            else:
                errors[index] = [conflict_item(row[0])]
        Journal.objects.filter(pk=journal_id).update(
            accepted=accepted,
            duplicates=duplicates,
            processed_at=None if accepted else now,
            **_rejection_fields(errors, validated),
        )
    return BatchOutcome(
        journal_id=journal_id,
        total=validated.total,
        accepted=accepted,
        duplicates=duplicates,
        rejected=_rejected_list(errors, validated),
    )


def _rejected_list(errors: dict[int, list[dict]], validated: Validated) -> list[dict]:
    return [
        {"index": index, "event_id": validated.event_ids.get(index), "errors": errors[index]}
        for index in sorted(errors)
    ]


def _rejection_fields(errors: dict[int, list[dict]], validated: Validated) -> dict[str, Any]:
    types: Counter[str] = Counter()
    for items in errors.values():
        types.update({item["type"].rsplit("/", 1)[-1] for item in items})
    return {
        "rejected": len(errors),
        "rejection_types": dict(types),
        "rejections": _storable(_rejected_list(errors, validated)[:KEPT_REJECTIONS]),
    }


def _storable(value: Any) -> Any:
    """PostgreSQL's jsonb cannot hold NUL, which a rejected event's id or field name may carry:
    the journal keeps U+FFFD in its place (the answer to the sender keeps what it sent)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def events_rejection_problem(outcome: BatchOutcome) -> problems.EventsRejected:
    """The 422 answer when no event of a batch was accepted or resent."""
    return problems.EventsRejected(
        _("Відхилено всі %(count)s подій пакета.") % {"count": len(outcome.rejected)},
        extra=outcome.as_response(),
    )


def nonces_purge(*, older_than: dt.timedelta) -> int:
    """Forget nonces older than the signature window allows to be replayed (with a margin)."""
    deleted, _detail = Nonce.objects.filter(seen_at__lt=timezone.now() - older_than).delete()
    return deleted


def journal_bodies_purge(*, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Drop raw bodies of journal entries already projected and older than the retention."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    return (
        Journal.objects.filter(received_at__lt=cutoff, processed_at__isnull=False)
        .exclude(body=b"")
        .update(body=b"")
    )


def journals_mark_processed(*, journal_ids: list[int], now: dt.datetime) -> None:
    Journal.objects.filter(pk__in=journal_ids).update(processed_at=now)


def journal_replay(
    *, first: int | None = None, last: int | None = None, ids: list[int] | None = None
) -> tuple[int, int]:
    """Re-process journal entries from their stored bodies: validate again (as of the moment
    each was received), store any event missing from the event tables, and queue the entries
    for projection. Signatures are not checked again: they were verified on receipt, and the
    key may have been rotated since. Returns (entries, events stored anew)."""
    entries = Journal.objects.filter(
        source__in=[Journal.Source.API, Journal.Source.TREMBITA], batch_error=""
    ).exclude(body=b"")
    if ids is not None:
        entries = entries.filter(pk__in=ids)
    if first is not None:
        entries = entries.filter(pk__gte=first)
    if last is not None:
        entries = entries.filter(pk__lte=last)
    count = inserted = 0
    for entry in entries.select_related("system").order_by("pk").iterator(chunk_size=100):
        try:
            validated = batch_validate(
                body=bytes(entry.body),
                system_id=entry.system_id,
                codes=lookups.codes(),
                scope=lookups.system_scope(entry.system),
                now=entry.received_at,
                journalled=True,
            )
        except Problem:
            continue
        with transaction.atomic():
            inserted += store.events_insert(
                sandbox=entry.sandbox,
                system_id=entry.system_id,
                journal_id=entry.pk,
                received_at=entry.received_at,
                columns=validated.columns,
            )
            Journal.objects.filter(pk=entry.pk).update(processed_at=None)
        count += 1
    return count, inserted
