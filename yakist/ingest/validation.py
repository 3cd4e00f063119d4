"""Validation of an event batch: the schema, then each event against the registry and scope.

The common case (every event valid) is one pass of pydantic-core over the JSON bytes
(yakist.ingest.schema) and a loop of dictionary lookups here. Only a bad event leaves the
loop, for yakist.ingest.rejections to say what is wrong with it; the rules on personal data
are yakist.ingest.personaldata.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yakist.ingest import problems
from yakist.ingest.lookups import Codes, SystemScope
from yakist.ingest.personaldata import (
    APPLICANT_REF,
    PERSONAL_ID_IN_TEXT,
    case_id_ok,
    journalled_ref_ok,
    keyed_hex,
    pseudonym,
    pseudonym_hasher,
)
from yakist.ingest.rejections import event_errors
from yakist.ingest.schema import EARLIEST, FIELD_ORDER, REASON_TYPES, batch_parse

# FIELD_ORDER and pseudonym stay importable from here for the demo generators
# (yakist.demo.stream, yakist.demo.stream_subjects), which import them from this module.
__all__ = [
    "FIELD_ORDER",
    "Validated",
    "batch_validate",
    "conflict_item",
    "pseudonym",
    "same_content",
]

CLOCK_SKEW = dt.timedelta(minutes=5)
COLUMN_COUNT = 12


@dataclass
class Validated:
    """The outcome of validation: accepted events column by column (ready for one set-based
    insert), and rejections by index."""

    # event_id, case_id, type, occurred_at, service_id, centre_id, provider_id, channel,
    # status, reason, rating, applicant_pseudonym — the order of store.EVENT_COLUMNS.
    columns: list[list] = field(default_factory=lambda: [[] for _ in range(COLUMN_COUNT)])
    indexes: list[int] = field(default_factory=list)
    errors: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    event_ids: dict[int, str | None] = field(default_factory=dict)
    # Positions whose value was cut out of the stored body (personal-data shaped).
    redact: list[tuple[int, str]] = field(default_factory=list)
    # Applicant references already pseudonymised, for the journalled body (journal_body).
    pseudonyms: dict[str, str] = field(default_factory=dict)
    # The same event twice in one batch: counted as a duplicate, stored once.
    batch_duplicates: int = 0
    # A later copy of an event id in the batch with other content, by index: a conflict,
    # unless it is the very event stored before (then the earlier copy is the conflict).
    batch_conflicts: dict[int, tuple] = field(default_factory=dict)
    total: int = 0

    @property
    def count(self) -> int:
        return len(self.indexes)

    def row(self, position: int) -> tuple:
        return tuple(column[position] for column in self.columns)

    @property
    def rows(self) -> list[tuple]:
        return list(zip(*self.columns, strict=True))


def batch_validate(
    *,
    body: bytes,
    system_id: int,
    codes: Codes,
    scope: SystemScope,
    now: dt.datetime,
    journalled: bool = False,
    agreed: Any = None,
) -> Validated:
    """Validate a batch; raise for whole-batch problems, return rows and rejections.

    Each event first takes a tight path of lookups and comparisons; only an event that fails
    it is examined again (yakist.ingest.rejections) to say exactly what is wrong. `journalled`
    is for a body read back from the journal, whose applicant references are already
    pseudonyms.
    """
    events, errors, raw_ids = batch_parse(body)
    if agreed is not None:  # the connection agreement's data list (ingest.datalist)
        agreed.check(events, errors, raw_ids)
    result = Validated(errors=errors, total=len(events))
    for index in errors:
        raw = raw_ids.get(index)
        result.event_ids[index] = raw if isinstance(raw, str) else None
    latest = (now + CLOCK_SKEW).astimezone(dt.UTC)
    _events_accept(
        events,
        result,
        codes=codes,
        scope=scope,
        latest=latest,
        keyed=pseudonym_hasher(system_id),
        journalled=journalled,
    )
    return result


def _events_accept(
    events: list[dict | None],
    result: Validated,
    *,
    codes: Codes,
    scope: SystemScope,
    latest: dt.datetime,
    keyed,
    journalled: bool,
) -> None:
    """The hot loop: one expression of lookups and comparisons per event, its row kept whole;
    only a failing or repeated event calls out of the loop. Rows become columns at the end."""
    services, centres, providers = codes.services, codes.centres, codes.providers
    ref_ok = journalled_ref_ok if journalled else APPLICANT_REF.match
    case_ok, scope_all, known = case_id_ok, scope.scope_all, result.pseudonyms
    seen: dict[str, int] = {}
    indexes, rows = result.indexes, []
    for index, event in enumerate(events):
        if event is None:
            continue
        get = event.get
        kind = event["type"]
        occurred = event["occurred_at"]
        service_id = services.get(event["service_code"])
        centre_code = get("centre_code")
        centre = centres.get(centre_code) if centre_code else None
        provider = providers.get(event["provider_code"])
        applicant = get("applicant_ref")
        reason = get("reason", "")
        if not (
            EARLIEST <= occurred <= latest
            and service_id is not None
            and provider is not None
            and (centre is not None if centre_code else event["channel"] == "online")
            and (scope_all or scope.allows(centre, provider))
            and ("status" in event) == (kind == "status_changed")
            and ("rating" in event) == (kind == "rated")
            and (not reason or (kind in REASON_TYPES and not PERSONAL_ID_IN_TEXT.search(reason)))
            and (applicant is None or ref_ok(applicant))
            and case_ok(event["case_id"])
        ):
            _event_reject(result, index, event, codes, scope, latest, ref_ok)
            continue
        event_id = event["event_id"].lower()
        if not applicant:
            pseudonym_hex = ""
        elif journalled and applicant[0] == "#":
            pseudonym_hex = applicant[1:]
        else:  # a case's events name the same applicant: one keyed hash per batch
            pseudonym_hex = known.get(applicant)
            if pseudonym_hex is None:
                pseudonym_hex = known[applicant] = keyed_hex(keyed, applicant)
        row = (
            event_id,
            event["case_id"],
            kind,
            occurred,
            service_id,
            centre.id if centre is not None else None,
            provider.id,
            event["channel"],
            get("status", ""),
            reason,
            get("rating"),
            pseudonym_hex,
        )
        earlier = seen.get(event_id)
        if earlier is not None:
            _event_repeat(result, index, rows[earlier], row)
            continue
        seen[event_id] = len(indexes)
        indexes.append(index)
        rows.append(row)
    if rows:
        result.columns = [list(column) for column in zip(*rows, strict=True)]


def _event_reject(
    result: Validated,
    index: int,
    event: dict,
    codes: Codes,
    scope: SystemScope,
    latest: dt.datetime,
    ref_ok,
) -> None:
    result.errors[index] = event_errors(
        event,
        codes=codes,
        scope=scope,
        latest=latest,
        redact=result.redact,
        index=index,
        ref_ok=ref_ok,
    )
    result.event_ids[index] = event["event_id"].lower()


def _event_repeat(result: Validated, index: int, earlier: tuple, row: tuple) -> None:
    """An event id seen before in the batch: a duplicate when the content is the same."""
    if same_content(earlier, row):
        result.batch_duplicates += 1
    else:
        result.batch_conflicts[index] = row
        result.event_ids[index] = row[0]


def conflict_item(event_id: str) -> dict:
    return problems.EventConflict.item(
        field="event_id",
        detail=_("Подію %(id)s уже прийнято з іншим вмістом.") % {"id": event_id},
    )


def same_content(left: tuple, right: tuple) -> bool:
    """Two rows for one event_id carry the same event (the instant, not its spelling)."""
    return left[1:] == right[1:]
