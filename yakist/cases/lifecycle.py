"""The case state machine: a case's state folded from its events in the order they happened.

    submitted → registered → in_progress ⇄ suspended → completed → issued | refused | withdrawn

Events are ordered by `occurred_at` (ties: by the natural order of event types, then by
`event_id`), never by arrival, so late and out-of-order delivery give the same state as
delivery in order. A transition outside the table is kept and flagged as a data-quality
issue: it is applied (`unexpected_transition`) unless the case had already reached a final
state, in which case it is ignored (`after_final`). Repeating the current state is a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yakist.cases.enums import CaseStatus
from yakist.cases.models import FINAL_STATUSES
from yakist.ingest.selectors import EventRow

S = CaseStatus
ALLOWED: dict[str | None, frozenset[str]] = {
    None: frozenset({S.SUBMITTED, S.REGISTERED}),
    S.SUBMITTED: frozenset({S.REGISTERED, S.REFUSED, S.WITHDRAWN}),
    S.REGISTERED: frozenset({S.IN_PROGRESS, S.SUSPENDED, S.COMPLETED, S.REFUSED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.SUSPENDED, S.COMPLETED, S.REFUSED, S.WITHDRAWN}),
    S.SUSPENDED: frozenset({S.IN_PROGRESS, S.REFUSED, S.WITHDRAWN}),
    S.COMPLETED: frozenset({S.ISSUED, S.REFUSED, S.WITHDRAWN}),
    S.ISSUED: frozenset(),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
EVENT_TARGET = {
    "submitted": S.SUBMITTED,
    "registered": S.REGISTERED,
    "suspended": S.SUSPENDED,
    "resumed": S.IN_PROGRESS,
    "completed": S.COMPLETED,
    "issued": S.ISSUED,
    "refused": S.REFUSED,
    "withdrawn": S.WITHDRAWN,
}
# Same-instant events are taken in the order a case lives through them.
TYPE_RANK = {
    "submitted": 0,
    "registered": 1,
    "status_changed": 2,
    "suspended": 3,
    "resumed": 4,
    "completed": 5,
    "issued": 6,
    "refused": 6,
    "withdrawn": 6,
    "rated": 7,
}

MISSING_START = "missing_start"
UNEXPECTED_TRANSITION = "unexpected_transition"
AFTER_FINAL = "after_final"
INCONSISTENT_ATTRIBUTES = "inconsistent_attributes"
NO_TERM = "no_term"
ISSUE_LABELS = {
    MISSING_START: _("справа почалася не з подання чи реєстрації"),
    UNEXPECTED_TRANSITION: _("перехід, якого немає в життєвому циклі справи"),
    AFTER_FINAL: _("зміна стану після остаточного результату (проігноровано)"),
    INCONSISTENT_ATTRIBUTES: _(
        "події справи по-різному називають послугу, центр, суб'єкт чи канал"
    ),
    NO_TERM: _("для послуги немає чинного строку на день звернення"),
}


def event_order(event: EventRow) -> tuple:
    return (event.occurred_at, TYPE_RANK[event.type], str(event.event_id))


@dataclass
class Step:
    """One event in the timeline with the state before and after it."""

    event: EventRow
    before: str | None
    after: str | None
    issue: str | None = None


@dataclass
class Fold:
    status: str | None = None
    received_at: dt.datetime | None = None
    registered_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    # (suspended at, resumed at or None while still suspended)
    suspensions: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    rating: int | None = None
    rated_at: dt.datetime | None = None
    issues: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    first: EventRow | None = None
    last_event_at: dt.datetime | None = None
    event_count: int = 0

    @property
    def outcome(self) -> str:
        return self.status if self.status in FINAL_STATUSES else ""

    def flag(self, issue: str) -> None:
        if issue not in self.issues:
            self.issues.append(issue)


def case_fold(events: Iterable[EventRow]) -> Fold:
    """Fold one case's events (in any order) into its state."""
    fold = Fold()
    first_submitted = first_registered = None
    for event in sorted(events, key=event_order):
        fold.event_count += 1
        if fold.first is None:
            fold.first = event
        elif (event.service_id, event.centre_id, event.provider_id, event.channel) != (
            fold.first.service_id,
            fold.first.centre_id,
            fold.first.provider_id,
            fold.first.channel,
        ):
            fold.flag(INCONSISTENT_ATTRIBUTES)
        if fold.last_event_at is None or event.occurred_at > fold.last_event_at:
            fold.last_event_at = event.occurred_at
        if event.type == "rated":
            fold.rating, fold.rated_at = event.rating, event.occurred_at
            fold.steps.append(Step(event, fold.status, fold.status))
            continue
        target = EVENT_TARGET.get(event.type) or event.status
        before = fold.status
        if target == before:
            fold.steps.append(Step(event, before, before))
            continue
        issue = None
        if before in FINAL_STATUSES:
            fold.flag(AFTER_FINAL)
            fold.steps.append(Step(event, before, before, AFTER_FINAL))
            continue
        if target not in ALLOWED[before]:
            issue = MISSING_START if before is None else UNEXPECTED_TRANSITION
            fold.flag(issue)
        _enter(fold, before, target, event.occurred_at)
        if target == S.SUBMITTED and first_submitted is None:
            first_submitted = event.occurred_at
        if target == S.REGISTERED and first_registered is None:
            first_registered = event.occurred_at
        fold.steps.append(Step(event, before, target, issue))
    if fold.status is None:
        fold.flag(MISSING_START)
    if fold.first is not None:
        fold.received_at = first_submitted or first_registered or fold.first.occurred_at
    fold.registered_at = first_registered
    return fold


def _enter(fold: Fold, before: str | None, target: str, moment: dt.datetime) -> None:
    if before == S.SUSPENDED and fold.suspensions and fold.suspensions[-1][1] is None:
        fold.suspensions[-1] = (fold.suspensions[-1][0], moment)
    if target == S.SUSPENDED:
        fold.suspensions.append((moment, None))
    if target == S.COMPLETED and fold.completed_at is None:
        fold.completed_at = moment
    if target in FINAL_STATUSES and fold.done_at is None:
        fold.done_at = moment
    if target == S.COMPLETED and fold.done_at is None:
        fold.done_at = moment
    fold.status = target
