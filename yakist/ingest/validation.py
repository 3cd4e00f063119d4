"""Validation of an event batch: the schema, then each event against the registry and scope.

The common case (every event valid) is one pass of pydantic-core over the JSON bytes and a
loop of dictionary lookups. Only a batch with a bad event takes the slow path, which
validates events one by one so that each gets its own errors and the good ones still pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
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
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from yakist.core.periods import KYIV
from yakist.core.problems import MalformedJson
from yakist.ingest import problems
from yakist.ingest.lookups import Codes, SystemScope
from yakist.ingest.models import Channel, EventType

# Comparisons against UTC instants are the cheapest (no zone lookups on the hot path).
EARLIEST = dt.datetime(2020, 1, 1, tzinfo=KYIV).astimezone(dt.UTC)
CLOCK_SKEW = dt.timedelta(minutes=5)
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
# A case number: letters (Latin or Ukrainian), digits and . _ : / # - ; no spaces.
CASE_ID = re.compile(
    r"^[0-9A-Za-zА-ЩЬЮЯҐЄІЇа-щьюяґєії][0-9A-Za-zА-ЩЬЮЯҐЄІЇа-щьюяґєії._:/#-]{0,99}$"
)

# An applicant reference is the sending system's own opaque id. Values shaped like personal
# identifiers are refused, so they never reach the cases (and are cut out of the journal):
# digits only (РНОКПП, ID card and phone numbers), УНЗР, passport series and number.
APPLICANT_REF = re.compile(
    r"^(?!\d+$)(?!\d{8}-\d{5}$)(?![A-Za-z]{2}\d{6,7}$)[A-Za-z0-9._:-]{8,128}$"
)
PERSONAL_ID_IN_TEXT = re.compile(
    r"\d{9,}|\d{8}-\d{5}|[А-ЯҐЄІЇA-Z]{2}\s?\d{6}\b|\+?380[\d\s()-]{9,}|[\w.+-]+@[\w-]+\.[\w.]+"
)


@with_config(ConfigDict(extra="forbid", strict=True))
class EventIn(TypedDict):
    event_id: Required[Annotated[str, Field(pattern=UUID_PATTERN)]]
    case_id: Required[Annotated[str, Field(min_length=1, max_length=100)]]
    type: Required[Literal[tuple(EventType.values)]]  # type: ignore[valid-type]
    occurred_at: Required[AwareDatetime]
    # Codes are checked against the registry, which is stricter than any pattern.
    service_code: Required[Annotated[str, Field(min_length=1, max_length=40)]]
    centre_code: NotRequired[Annotated[str, Field(min_length=1, max_length=40)] | None]
    provider_code: Required[Annotated[str, Field(min_length=1, max_length=40)]]
    channel: Required[Literal[tuple(Channel.values)]]  # type: ignore[valid-type]
    status: NotRequired[Literal[STATUSES]]  # type: ignore[valid-type]
    reason: NotRequired[Annotated[str, Field(min_length=1, max_length=300)]]
    rating: NotRequired[Annotated[StrictInt, Field(ge=0, le=10)]]
    applicant_ref: NotRequired[Annotated[str, Field(min_length=1, max_length=128)]]


@with_config(ConfigDict(extra="forbid", strict=True))
class BatchIn(TypedDict):
    events: list[EventIn]


BATCH = TypeAdapter(BatchIn)
EVENT = TypeAdapter(EventIn)


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


def _batch_parse_slow(body: bytes):
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedJson(
            _("Тіло запиту не є коректним JSON: %(error)s") % {"error": error}
        ) from error
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
    text = _EXPLANATIONS.get(kind)
    return _(text) if text else str(error.get("msg", kind))


def pseudonym_hasher(system_id: int):
    """HMAC-SHA256 keyed with settings.PSEUDONYM_KEY, primed with the system id (the same
    reference in two systems names two different people)."""
    return hmac.new(settings.PSEUDONYM_KEY.encode(), f"{system_id}:".encode(), hashlib.sha256)


def _keyed_hex(primed, applicant_ref: str) -> str:
    mac = primed.copy()
    mac.update(applicant_ref.encode())
    return mac.hexdigest()


def pseudonym(system_id: int, applicant_ref: str) -> str:
    """Keyed pseudonym of an applicant reference; the key never leaves the settings."""
    return _keyed_hex(pseudonym_hasher(system_id), applicant_ref)


def batch_validate(
    *,
    body: bytes,
    system_id: int,
    codes: Codes,
    scope: SystemScope,
    now: dt.datetime,
    agreed: Any = None,
) -> Validated:
    """Validate a batch; raise for whole-batch problems, return rows and rejections.

    Each event first takes a tight path of lookups and comparisons; only an event that fails
    it is examined again (`_event_errors`) to say exactly what is wrong.
    """
    events, errors, raw_ids = batch_parse(body)
    if agreed is not None:  # the connection agreement's data list (ingest.datalist)
        agreed.check(events, errors, raw_ids)
    result = Validated(errors=errors, total=len(events))
    for index in errors:
        raw = raw_ids.get(index)
        result.event_ids[index] = raw if isinstance(raw, str) else None
    services, centres, providers = codes.services, codes.centres, codes.providers
    latest = (now + CLOCK_SKEW).astimezone(dt.UTC)
    keyed = pseudonym_hasher(system_id)
    case_id_ok = CASE_ID.match
    scope_all = scope.scope_all
    seen: dict[str, int] = {}
    indexes = result.indexes
    (
        put_id,
        put_case,
        put_type,
        put_time,
        put_service,
        put_centre,
        put_provider,
        put_channel,
        put_status,
        put_reason,
        put_rating,
        put_applicant,
    ) = (column.append for column in result.columns)
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
            and (applicant is None or APPLICANT_REF.match(applicant))
            and case_id_ok(event["case_id"])
        ):
            result.errors[index] = _event_errors(
                event, codes=codes, scope=scope, latest=latest, redact=result.redact, index=index
            )
            result.event_ids[index] = event["event_id"].lower()
            continue
        event_id = event["event_id"].lower()
        pseudonym_hex = _keyed_hex(keyed, applicant) if applicant else ""
        centre_id = centre.id if centre is not None else None
        earlier = seen.get(event_id)
        if earlier is not None:
            row = (
                event_id,
                event["case_id"],
                kind,
                occurred,
                service_id,
                centre_id,
                provider.id,
                event["channel"],
                get("status", ""),
                reason,
                get("rating"),
                pseudonym_hex,
            )
            if same_content(result.row(earlier), row):
                result.batch_duplicates += 1
            else:
                result.batch_conflicts[index] = row
                result.event_ids[index] = event_id
            continue
        seen[event_id] = len(indexes)
        indexes.append(index)
        put_id(event_id)
        put_case(event["case_id"])
        put_type(kind)
        put_time(occurred)
        put_service(service_id)
        put_centre(centre_id)
        put_provider(provider.id)
        put_channel(event["channel"])
        put_status(get("status", ""))
        put_reason(reason)
        put_rating(get("rating"))
        put_applicant(pseudonym_hex)
    return result


def _event_errors(
    event: dict,
    *,
    codes: Codes,
    scope: SystemScope,
    latest: dt.datetime,
    redact: list[tuple[int, str]],
    index: int,
) -> list[dict]:
    """Everything wrong with one event that failed the fast checks, in Ukrainian."""
    found: list[dict] = []
    occurred = event["occurred_at"]
    if occurred < EARLIEST or occurred > latest:
        found.append(
            problems.EventImpossibleTime.item(
                field="occurred_at",
                detail=_("Час %(time)s поза межами від 01.01.2020 до поточного часу.")
                % {"time": occurred.isoformat()},
            )
        )
    if event["service_code"] not in codes.services:
        found.append(
            problems.EventUnknownService.item(
                field="service_code",
                detail=_("Послугу з кодом «%(code)s» не знайдено в Реєстрі.")
                % {"code": event["service_code"]},
            )
        )
    centre_code = event.get("centre_code")
    centre = codes.centres.get(centre_code) if centre_code else None
    if centre_code and centre is None:
        found.append(
            problems.EventUnknownCentre.item(
                field="centre_code",
                detail=_("Центр з кодом «%(code)s» не знайдено.") % {"code": centre_code},
            )
        )
    elif not centre_code and event["channel"] != "online":
        found.append(
            problems.EventMissingField.item(
                field="centre_code",
                detail=_("centre_code обов'язковий для каналу «%(channel)s».")
                % {"channel": event["channel"]},
            )
        )
    provider = codes.providers.get(event["provider_code"])
    if provider is None:
        found.append(
            problems.EventUnknownProvider.item(
                field="provider_code",
                detail=_("Суб'єкта надання з кодом «%(code)s» не знайдено.")
                % {"code": event["provider_code"]},
            )
        )
    elif (centre is not None or not centre_code) and not scope.allows(centre, provider):
        found.append(
            problems.EventOutOfScope.item(
                field="centre_code" if centre_code else "provider_code",
                detail=_("Центр «%(centre)s» / суб'єкт «%(provider)s» поза зоною підключення.")
                % {"centre": centre_code or "—", "provider": event["provider_code"]},
            )
        )
    if not CASE_ID.match(event["case_id"]):
        found.append(
            problems.EventError.item(
                field="case_id",
                detail=_(
                    "case_id: дозволено літери, цифри та . _ : / # - (до 100 символів, без "
                    "пробілів)."
                ),
            )
        )
    _check_type_fields(event, event["type"], found)
    applicant = event.get("applicant_ref")
    if applicant is not None and not APPLICANT_REF.match(applicant):
        found.append(
            problems.EventPersonalData.item(
                field="applicant_ref",
                detail=_(
                    "applicant_ref має бути непрозорим ідентифікатором (8–128 символів A–Z, a–z, "
                    "0–9, «.», «_», «:», «-»), а не персональними даними (РНОКПП, паспорт, УНЗР, "
                    "телефон)."
                ),
            )
        )
        redact.append((index, "applicant_ref"))
    reason = event.get("reason", "")
    if reason and PERSONAL_ID_IN_TEXT.search(reason):
        found.append(
            problems.EventPersonalData.item(
                field="reason",
                detail=_("reason містить номер, схожий на персональні дані; приберіть його."),
            )
        )
        redact.append((index, "reason"))
    return found


def _check_type_fields(event: dict, kind: str, found: list[dict]) -> None:
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


def conflict_item(event_id: str) -> dict:
    return problems.EventConflict.item(
        field="event_id",
        detail=_("Подію %(id)s уже прийнято з іншим вмістом.") % {"id": event_id},
    )


def same_content(left: tuple, right: tuple) -> bool:
    """Two rows for one event_id carry the same event (the instant, not its spelling)."""
    return left[1:] == right[1:]
