"""Projecting events into cases, in sets: read the events of many cases in one query, fold
each case in memory, write all case rows back in one bulk upsert."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from yakist.cases.deadlines import Term, deadline_compute
from yakist.cases.enums import CaseStatus
from yakist.cases.lifecycle import NO_TERM, case_fold
from yakist.cases.models import Case
from yakist.cases.signals import cases_projected
from yakist.cases.store import CaseRow, case_facts, case_facts_stored, cases_upsert
from yakist.core.periods import kyiv_date
from yakist.ingest import selectors as ingest_selectors
from yakist.ingest import services as ingest_services
from yakist.registry import selectors as registry_selectors
from yakist.registry.models.reference import ServiceTerm

CHUNK = 2000  # cases per read of their events
PROJECTION_LOCK = 7_401_864  # PostgreSQL advisory lock: one projector at a time


class _Terms:
    """Legal terms of services by the day they came into force."""

    def __init__(self, service_ids: Iterable[int]) -> None:
        self.by_service: dict[int, tuple[list[dt.date], list[Term]]] = {}
        rows = ServiceTerm.objects.filter(service_id__in=set(service_ids)).order_by(
            "service_id", "effective_from"
        )
        grouped: dict[int, list] = defaultdict(list)
        for service_id, since, value, unit in rows.values_list(
            "service_id", "effective_from", "value", "unit"
        ):
            grouped[service_id].append((since, Term(value=value, unit=unit)))
        for service_id, items in grouped.items():
            self.by_service[service_id] = ([d for d, _ in items], [t for _, t in items])

    def on(self, service_id: int, day: dt.date) -> Term | None:
        entry = self.by_service.get(service_id)
        if entry is None:
            return None
        index = bisect.bisect_right(entry[0], day) - 1
        return entry[1][index] if index >= 0 else None


def cases_project(
    *,
    keys: Iterable[tuple[int, str]],
    sandbox: bool,
    now: dt.datetime | None = None,
    announce: bool = True,
) -> int:
    """Recompute the cases (system id, case number) from all their events; return how many.

    `announce=False` is for bulk backfills that are followed by a full recomputation of the
    later stages: it skips the `cases_projected` signal.
    """
    now = now or timezone.now()
    by_system: dict[int, list[str]] = defaultdict(list)
    for system_id, case_id in set(keys):
        by_system[system_id].append(case_id)
    written = 0
    for system_id, case_ids in by_system.items():
        case_ids.sort()
        for start in range(0, len(case_ids), CHUNK):
            chunk = case_ids[start : start + CHUNK]
            events = ingest_selectors.case_events(
                system_id=system_id, case_ids=chunk, sandbox=sandbox
            )
            written += _project_chunk(system_id, sandbox, events, now, announce)
    return written


def _project_chunk(
    system_id: int, sandbox: bool, events, now: dt.datetime, announce: bool = True
) -> int:
    grouped: dict[str, list] = defaultdict(list)
    for event in events:
        grouped[event.case_id].append(event)
    if not grouped:
        return 0
    places = _Places(grouped)
    terms = _Terms({e.service_id for items in grouped.values() for e in items})
    cases = [
        _case_row(
            system_id=system_id,
            sandbox=sandbox,
            case_id=case_id,
            items=items,
            places=places,
            terms=terms,
            now=now,
        )
        for case_id, items in grouped.items()
    ]
    announced = announce and not sandbox
    # Read before the upsert: later stages keep their counts by the difference (new − old).
    before = (
        case_facts_stored(system_id=system_id, sandbox=sandbox, case_ids=list(grouped))
        if announced
        else {}
    )
    cases_upsert(cases)
    if announced:
        changes = [(before.get(case.case_id), case_facts(case)) for case in cases]
        # A case's former place and moments count too: its old periods and subjects lose it.
        facts = [f for change in changes for f in change if f is not None]
        cases_projected.send(
            sender=Case,
            changes=changes,
            main_centre_ids={f.main_centre_id for f in facts if f.main_centre_id},
            provider_ids={f.provider_id for f in facts},
            moments=[
                moment for f in facts for moment in (f.received_at, f.done_at, f.rated_at) if moment
            ],
        )
    return len(cases)


class _Places:
    """Where the cases of a chunk were applied for: each centre's main centre, region and
    hromada, and the region of each provider (for online cases with no centre)."""

    def __init__(self, grouped: dict[str, list]) -> None:
        events = [e for items in grouped.values() for e in items]
        self.centres = registry_selectors.centre_places(
            {e.centre_id for e in events if e.centre_id}
        )
        self.provider_regions = registry_selectors.provider_regions({e.provider_id for e in events})

    def of(
        self, centre_id: int | None, provider_id: int
    ) -> tuple[int | None, str | None, str | None]:
        """(main centre, region, hromada) of a case."""
        if centre_id is None:
            return None, self.provider_regions.get(provider_id), None
        parent, region, hromada = self.centres.get(centre_id, (None, None, None))
        return parent or centre_id, region, hromada


def _case_row(
    *, system_id: int, sandbox: bool, case_id: str, items: list, places: _Places, terms: _Terms, now
) -> CaseRow:
    """Fold a case's events into its row: state, deadline in force, timeliness."""
    fold = case_fold(items)
    first = fold.first
    received_at = fold.received_at
    issues = list(fold.issues)
    main_centre, region, hromada = places.of(first.centre_id, first.provider_id)
    term = terms.on(first.service_id, kyiv_date(received_at))
    due_at = at_risk_from = on_time = days_late = None
    # Only finished suspensions count; while a case stands suspended its clock is
    # stopped and its deadline unknown (due_at is empty until it resumes). So the state
    # depends on the events alone, never on when the projection ran.
    suspensions = [(start, end) for start, end in fold.suspensions if end is not None]
    if term is None:
        issues.append(NO_TERM)
    elif fold.status != CaseStatus.SUSPENDED:
        deadline = deadline_compute(received_at=received_at, term=term, suspensions=suspensions)
        due_at, at_risk_from = deadline.due_at, deadline.at_risk_from
        if fold.done_at is not None and fold.status != CaseStatus.WITHDRAWN:
            on_time = fold.done_at <= due_at
            if not on_time:
                days_late = max(1, (kyiv_date(fold.done_at) - kyiv_date(due_at)).days)
    return CaseRow(
        system_id=system_id,
        sandbox=sandbox,
        case_id=case_id,
        service_id=first.service_id,
        centre_id=first.centre_id,
        main_centre_id=main_centre,
        region_id=region,
        hromada_id=hromada,
        provider_id=first.provider_id,
        channel=first.channel,
        applicant_pseudonym=next(
            (e.applicant_pseudonym for e in items if e.applicant_pseudonym), ""
        ),
        status=fold.status or CaseStatus.SUBMITTED,
        outcome=fold.outcome,
        received_at=received_at,
        registered_at=fold.registered_at,
        completed_at=fold.completed_at,
        done_at=fold.done_at,
        term_value=term.value if term else None,
        term_unit=term.unit if term else "",
        due_at=due_at,
        at_risk_from=at_risk_from,
        on_time=on_time,
        days_late=days_late,
        suspended_seconds=int(sum((end - start).total_seconds() for start, end in suspensions)),
        rating=fold.rating,
        rated_at=fold.rated_at,
        quality_issues=issues,
        has_quality_issues=bool(issues),
        event_count=fold.event_count,
        last_event_at=fold.last_event_at,
        projected_at=now,
    )


def cases_project_pending(
    *, max_events: int = 5000, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Project the cases touched by journal entries not processed yet (oldest first, up to
    about `max_events` events); mark those entries processed. Returns (entries, cases)."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROJECTION_LOCK])
        journals = ingest_selectors.journals_pending(max_events=max_events)
        if not journals:
            return 0, 0
        written = 0
        for sandbox in (False, True):
            ids = [j.id for j in journals if j.sandbox == sandbox]
            if ids:
                keys = ingest_selectors.journal_case_keys(journal_ids=ids)
                written += cases_project(keys=keys, sandbox=sandbox, now=now)
        ingest_services.journals_mark_processed(journal_ids=[j.id for j in journals], now=now)
    return len(journals), written
