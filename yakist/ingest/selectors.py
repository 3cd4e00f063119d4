"""Reading what the intake stored: events for the case projection and timelines, and the
activity of each connected system (freshness, volume, rejections, silence)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncHour
from django.utils import timezone

from yakist.accounts.scope import Scope
from yakist.core.db import sqlite_datetime_parse
from yakist.ingest.models import Journal
from yakist.ingest.store import event_model
from yakist.registry import selectors as registry_selectors
from yakist.registry.enums import SystemBasis

if TYPE_CHECKING:
    from yakist.registry.models import ConnectedSystem


class EventRow(NamedTuple):
    """An event as stored, in the shape the case projection and timelines read."""

    case_id: str
    event_id: str
    type: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    service_id: int
    centre_id: int | None
    provider_id: int
    channel: str
    status: str
    reason: str
    rating: int | None
    applicant_pseudonym: str
    journal_id: int


EVENT_ROW_FIELDS = EventRow._fields
SILENCE_WINDOW = dt.timedelta(days=14)
MINIMUM_SILENCE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PendingJournal:
    id: int
    system_id: int
    sandbox: bool
    event_count: int


def journals_pending(*, max_events: int) -> list[PendingJournal]:
    """Oldest journal entries whose events are not yet in the cases, about `max_events`."""
    pending = []
    total = 0
    rows = (
        Journal.objects.filter(processed_at__isnull=True)
        .order_by("id")
        .values_list("id", "system_id", "sandbox", "accepted")[:1000]
    )
    for row in rows:
        if pending and total + row[3] > max_events:
            break
        pending.append(PendingJournal(*row))
        total += row[3]
    return pending


def journal_case_keys(*, journal_ids: list[int]) -> set[tuple[int, str]]:
    """The (system, case number) pairs named in these journal entries' bodies."""
    keys = set()
    for system_id, body in Journal.objects.filter(pk__in=journal_ids).values_list(
        "system_id", "body"
    ):
        try:
            events = json.loads(bytes(body)).get("events", [])
        except (ValueError, AttributeError):
            continue
        keys.update(
            (system_id, event["case_id"])
            for event in events
            if isinstance(event, dict) and isinstance(event.get("case_id"), str)
        )
    return keys


def case_events(*, system_id: int, case_ids: Iterable[str], sandbox: bool) -> list[EventRow]:
    """All events of the given cases of one system, in one query (raw SQL: the projection
    reads every event of every touched case, and ORM conversions would dominate its cost)."""
    table = event_model(sandbox=sandbox)._meta.db_table
    names = ", ".join(EVENT_ROW_FIELDS)
    wanted = json.dumps(list(case_ids), ensure_ascii=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {names} FROM {table} WHERE system_id = %s "  # noqa: S608
                "AND case_id = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))",
                [system_id, wanted],
            )
            return [EventRow(*row) for row in cursor.fetchall()]
        # Times as text: Django's own SQLite converters parse them several times slower.
        texts = names.replace("occurred_at", "occurred_at || ''").replace(
            "received_at", "received_at || ''"
        )
        cursor.execute(
            f"SELECT {texts} FROM {table} WHERE system_id = %s "  # noqa: S608
            "AND case_id IN (SELECT value FROM json_each(%s))",
            [system_id, wanted],
        )
        rows = cursor.fetchall()
    when = sqlite_datetime_parse
    return [EventRow(r[0], r[1], r[2], when(r[3]), when(r[4]), *r[5:]) for r in rows]


def case_history(*, system_id: int, sandbox: bool, case_id: str) -> list[EventRow]:
    """The events of one case (the caller has checked that the viewer may see the case)."""
    return case_events(system_id=system_id, case_ids=[case_id], sandbox=sandbox)


@dataclass
class SystemActivity:
    system: ConnectedSystem
    last_received_at: dt.datetime | None = None
    events_last_hour: int = 0
    events_last_day: int = 0
    events_week: int = 0
    rejected_week: int = 0
    batches_refused_week: int = 0
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    usual_gap: dt.timedelta | None = None
    silent: bool = False

    @property
    def events_per_hour(self) -> float:
        return self.events_last_day / 24

    @property
    def rejection_rate(self) -> float | None:
        return self.rejected_week / self.events_week if self.events_week else None

    @property
    def rejection_percent(self) -> float | None:
        rate = self.rejection_rate
        return None if rate is None else 100 * rate


def systems_activity(viewer: Scope, *, now: dt.datetime | None = None) -> list[SystemActivity]:
    """Per connected system the viewer may see: freshness, volume, rejections and whether it
    has gone silent (no events for longer than its longest gap in the last two weeks)."""
    now = now or timezone.now()
    systems = list(registry_selectors.systems_for(viewer).order_by("name"))
    result = {s.pk: SystemActivity(system=s) for s in systems}
    if not systems:
        return []
    entries = Journal.objects.filter(system_id__in=result)
    hour, day, week = (
        now - dt.timedelta(hours=1),
        now - dt.timedelta(days=1),
        now - dt.timedelta(days=7),
    )
    totals = entries.values("system_id").annotate(
        last=Max("received_at"),
        hour=Sum("event_count", filter=Q(received_at__gte=hour)),
        day=Sum("event_count", filter=Q(received_at__gte=day)),
        week=Sum("event_count", filter=Q(received_at__gte=week)),
        rejected=Sum("rejected", filter=Q(received_at__gte=week)),
        refused=Count("pk", filter=Q(received_at__gte=week) & ~Q(batch_error="")),
    )
    for row in totals:
        activity = result[row["system_id"]]
        activity.last_received_at = row["last"]
        activity.events_last_hour = row["hour"] or 0
        activity.events_last_day = row["day"] or 0
        activity.events_week = row["week"] or 0
        activity.rejected_week = row["rejected"] or 0
        activity.batches_refused_week = row["refused"] or 0
    reasons: dict[int, Counter] = defaultdict(Counter)
    rejected_rows = entries.filter(received_at__gte=week).filter(
        Q(rejected__gt=0) | ~Q(batch_error="")
    )
    for system_id, types, batch_error in rejected_rows.values_list(
        "system_id", "rejection_types", "batch_error"
    ):
        reasons[system_id].update(types or {})
        if batch_error:
            reasons[system_id][batch_error] += 1
    hours: dict[int, list[dt.datetime]] = defaultdict(list)
    for system_id, bucket in (
        entries.filter(received_at__gte=now - SILENCE_WINDOW)
        .annotate(bucket=TruncHour("received_at"))
        .values_list("system_id", "bucket")
        .distinct()
        .order_by("system_id", "bucket")
    ):
        hours[system_id].append(bucket)
    for system_id, activity in result.items():
        activity.top_reasons = reasons[system_id].most_common(3)
        buckets = hours.get(system_id, [])
        if len(buckets) >= 2:
            longest = max(b - a for a, b in itertools.pairwise(buckets))
            activity.usual_gap = max(longest, MINIMUM_SILENCE)
        if (
            activity.last_received_at is not None
            and activity.system.status != "suspended"
            # Files come when a subject uploads them: a pause is not a system gone silent.
            and activity.system.basis != SystemBasis.UPLOAD
        ):
            allowed = activity.usual_gap or SILENCE_WINDOW
            activity.silent = now - activity.last_received_at > allowed
    return list(result.values())


def connected_centre_ids() -> set[int]:
    """Centres an active system reports for: listed in its connection scope, or an access
    point of a listed centre. Systems with scope "all" (national provider registers) report
    their own online cases and do not by themselves make a centre connected."""
    scoped = registry_selectors.centres_in_system_scopes(uploads=False, active_only=True)
    return scoped | registry_selectors.access_point_ids(scoped)


def journal_for(viewer: Scope, *, system: ConnectedSystem, limit: int = 50):
    """Recent journal entries of a system the viewer may see (integrators troubleshoot here)."""
    visible = registry_selectors.systems_for(viewer).filter(pk=system.pk).exists()
    if not visible:
        return Journal.objects.none()
    return (
        Journal.objects.filter(system=system).defer("body").order_by("-received_at", "-id")[:limit]
    )
