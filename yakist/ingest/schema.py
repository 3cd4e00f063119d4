"""The shape of an event batch: the schema every system sends, parsed by pydantic-core, and
Ukrainian messages for what does not fit it.

A valid batch is one pass of pydantic-core over the JSON bytes (`batch_parse`); a batch that
fails it is parsed again event by event so each event gets its own errors and the others still
pass. Which fields go with which event type is checked here too (`type_field_errors`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal, NotRequired, Required

from django.conf import settings
from django.utils.translation import gettext as _
from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    StrictInt,
    TypeAdapter,
    ValidationError,
    with_config,
)
from pydantic_core import from_json
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from yakist.core.periods import KYIV
from yakist.core.problems import MalformedJson
from yakist.ingest import problems
from yakist.ingest.enums import Channel, EventType

# Comparisons against UTC instants are the cheapest (no zone lookups on the hot path).
EARLIEST = dt.datetime(2020, 1, 1, tzinfo=KYIV).astimezone(dt.UTC)
FIELD_ORDER = (
    "event_id",
    "case_id",
    "type",
    "occurred_at",
    "service_code",
    "centre_code",
    "provider_code",
    "channel",
    "status",
    "reason",
    "rating",
    "applicant_ref",
)
STATUSES = (
    "submitted",
    "registered",
    "in_progress",
    "suspended",
    "completed",
    "issued",
    "refused",
    "withdrawn",
)
REASON_TYPES = frozenset({"suspended", "resumed", "status_changed", "refused", "withdrawn"})

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# No control characters in codes and references, and none but tab and line breaks in a reason.
# PostgreSQL text cannot hold NUL at all: such an event would fail the whole batch's insert.
NO_CONTROLS = r"^[^\x00-\x1f\x7f]*$"
TEXT_CONTROLS_ALLOWED = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CONTROL_PATTERNS = frozenset({NO_CONTROLS, TEXT_CONTROLS_ALLOWED})


def _code(max_length: int) -> Any:
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=NO_CONTROLS)]


@with_config(ConfigDict(extra="forbid", strict=True))
class EventIn(TypedDict):
    event_id: Required[Annotated[str, Field(pattern=UUID_PATTERN)]]
    case_id: Required[_code(100)]  # type: ignore[valid-type]
    type: Required[Literal[tuple(EventType.values)]]  # type: ignore[valid-type]
    occurred_at: Required[AwareDatetime]
    # Codes are checked against the registry, which is stricter than any pattern; the
    # pattern keeps out what could not even be stored or echoed in a rejection.
    service_code: Required[_code(40)]  # type: ignore[valid-type]
    centre_code: NotRequired[_code(40) | None]  # type: ignore[valid-type]
    provider_code: Required[_code(40)]  # type: ignore[valid-type]
    channel: Required[Literal[tuple(Channel.values)]]  # type: ignore[valid-type]
    status: NotRequired[Literal[STATUSES]]  # type: ignore[valid-type]
    reason: NotRequired[
        Annotated[str, Field(min_length=1, max_length=300, pattern=TEXT_CONTROLS_ALLOWED)]
    ]
    rating: NotRequired[Annotated[StrictInt, Field(ge=0, le=10)]]
    applicant_ref: NotRequired[_code(128)]  # type: ignore[valid-type]


@with_config(ConfigDict(extra="forbid", strict=True))
class BatchIn(TypedDict):
    events: list[EventIn]


BATCH = TypeAdapter(BatchIn)
EVENT = TypeAdapter(EventIn)


def batch_parse(body: bytes) -> tuple[list[dict | None], dict[int, list[dict]], dict[int, Any]]:
    """Parse and schema-check a batch. Returns (events, errors by index, raw event ids).

    Raises MalformedJson, BatchInvalid or BatchTooLarge for problems of the whole batch.
    """
    try:
        events = BATCH.validate_json(body)["events"]
    except ValidationError:
        return _batch_parse_slow(body)
    _check_size(len(events))
    return events, {}, {}


def _check_size(count: int) -> None:
    if count == 0:
        raise problems.BatchInvalid(_("Пакет не містить жодної події."))
    if count > settings.INGEST_MAX_EVENTS:
        raise problems.BatchTooLarge(
            _("У пакеті %(count)s подій, дозволено не більше %(limit)s.")
            % {"count": count, "limit": settings.INGEST_MAX_EVENTS}
        )


# The batch is three levels deep; anything much deeper is refused. Python's recursive json
# parser would exhaust the stack (a 500), so bodies are parsed by pydantic-core, whose parser
# stops at a fixed nesting depth with an error instead.
MAX_JSON_DEPTH = 16


def _too_deep() -> problems.JsonTooDeep:
    return problems.JsonTooDeep(
        _("Вкладеність JSON глибша за %(limit)s рівнів.") % {"limit": MAX_JSON_DEPTH}
    )


def json_parse(body: bytes) -> Any:
    """Parse a body without recursion in Python; raise JsonTooDeep or MalformedJson."""
    try:
        document = from_json(body)
    except ValueError as error:
        if "recursion limit" in str(error):
            raise _too_deep() from error
        raise MalformedJson(
            _("Тіло запиту не є коректним JSON: %(error)s") % {"error": error}
        ) from error
    # Walk the containers without recursion (a batch has about one per event).
    stack = [(document, 1)] if isinstance(document, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return document


def _batch_parse_slow(body: bytes):
    document = json_parse(body)
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise problems.BatchInvalid(_('Очікується об\'єкт JSON {"events": [ … ]}.'))
    extra = sorted(set(document) - {"events"})
    if extra:
        raise problems.BatchInvalid(
            _("Невідомі поля верхнього рівня: %(fields)s.") % {"fields": ", ".join(extra)}
        )
    raw_events = document["events"]
    _check_size(len(raw_events))
    events: list[dict | None] = []
    errors: dict[int, list[dict]] = {}
    raw_ids: dict[int, Any] = {}
    for index, raw in enumerate(raw_events):
        raw_ids[index] = raw.get("event_id") if isinstance(raw, dict) else None
        try:
            # Round-trip through JSON so the slow path judges exactly as the fast path does.
            events.append(EVENT.validate_json(json.dumps(raw, ensure_ascii=False)))
        except ValidationError as error:
            events.append(None)
            errors[index] = [_schema_error(item) for item in error.errors()]
    return events, errors, raw_ids


def _schema_error(error: dict) -> dict[str, Any]:
    location = ".".join(str(part) for part in error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return problems.EventUnknownField.item(
            field=location,
            detail=_("Поле «%(field)s» не входить до схеми події.") % {"field": location},
        )
    if kind == "missing":
        return problems.EventMissingField.item(
            field=location, detail=_("Поле «%(field)s» обов'язкове.") % {"field": location}
        )
    if kind in ("model_type", "dict_type", "typed_dict_type"):
        return problems.EventError.item(field="", detail=_("Подія має бути об'єктом JSON."))
    return problems.EventError.item(
        field=location,
        detail=_("Поле «%(field)s»: %(reason)s.")
        % {"field": location, "reason": _explain(kind, error)},
    )


_EXPLANATIONS = {
    "string_pattern_mismatch": "недопустимий формат",
    "literal_error": "недопустиме значення",
    "string_type": "очікується рядок",
    "int_type": "очікується ціле число",
    "datetime_type": "очікується рядок дати й часу RFC 3339",
    "datetime_parsing": "очікується дата й час RFC 3339 (напр. 2025-03-28T10:15:00+02:00)",
    "datetime_from_date_parsing": "очікується дата й час RFC 3339",
    "timezone_aware": "час має містити зсув часового поясу (напр. +02:00 або Z)",
    "string_too_long": "рядок задовгий",
    "string_too_short": "рядок закороткий",
    "less_than_equal": "значення завелике",
    "greater_than_equal": "значення замале",
}


def _explain(kind: str, error: dict) -> str:
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") in (
        CONTROL_PATTERNS
    ):
        return _("містить керівні символи (напр. \\u0000), недопустимі в цьому полі")
    text = _EXPLANATIONS.get(kind)
    return _(text) if text else str(error.get("msg", kind))


def type_field_errors(event: dict, kind: str, found: list[dict]) -> None:
    """status only with status_changed, rating only with rated, reason only where it fits."""
    if kind == "status_changed":
        if "status" not in event:
            found.append(
                problems.EventMissingField.item(
                    field="status", detail=_("Подія status_changed потребує поля status.")
                )
            )
    elif "status" in event:
        found.append(_not_allowed("status", kind))
    if kind == "rated":
        if "rating" not in event:
            found.append(
                problems.EventMissingField.item(
                    field="rating", detail=_("Подія rated потребує поля rating (0–10).")
                )
            )
    elif "rating" in event:
        found.append(_not_allowed("rating", kind))
    if "reason" in event and kind not in REASON_TYPES:
        found.append(_not_allowed("reason", kind))


def _not_allowed(name: str, kind: str) -> dict:
    return problems.EventFieldNotAllowed.item(
        field=name,
        detail=_("Поле «%(field)s» не дозволене для події типу «%(type)s».")
        % {"field": name, "type": kind},
    )
