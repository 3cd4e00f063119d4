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
from pydantic_core import from_json
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from yakist.core.periods import KYIV
from yakist.core.problems import MalformedJson
from yakist.ingest import problems
from yakist.ingest.enums import Channel, EventType
from yakist.ingest.lookups import Codes, SystemScope

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
# A case number must not be a taxpayer's number (РНОКПП): ten digits as the whole value, or a
# standalone run of ten digits whose last one is the РНОКПП check digit.
TEN_DIGITS = re.compile(r"(?<!\d)\d{10}(?!\d)")
RNOKPP_WEIGHTS = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
# In a journalled body the applicant reference is replaced by "#" and its keyed pseudonym
# ("#" is not allowed in a reference, so a sender cannot pass one off).
JOURNALLED_REF = re.compile(r"^#[0-9a-f]{64}$")
REDACTED = "[вилучено]"
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


def rnokpp_checksum_ok(digits: str) -> bool:
    """The РНОКПП check digit: the weighted sum of the first nine digits, mod 11, mod 10."""
    total = sum(int(d) * w for d, w in zip(digits, RNOKPP_WEIGHTS, strict=False))
    return total % 11 % 10 == int(digits[9])


def case_id_ok(case_id: str) -> bool:
    """An allowed case number: the CASE_ID alphabet and nothing shaped like a РНОКПП."""
    if not CASE_ID.match(case_id):
        return False
    for match in TEN_DIGITS.finditer(case_id):
        if len(case_id) == 10 or rnokpp_checksum_ok(match.group()):
            return False
    return True


def _journalled_ref_ok(value: str):
    return APPLICANT_REF.match(value) or JOURNALLED_REF.match(value)


# A plain applicant reference in the raw body (no escapes), and any mention of the field.
_REF_FIELD = re.compile(rb'"applicant_ref"\s*:')
_REF_PLAIN = re.compile(rb'"applicant_ref"(\s*:\s*)"([A-Za-z0-9._:-]*)"')


def journal_body(
    body: bytes,
    *,
    system_id: int,
    redact: list[tuple[int, str]] | tuple = (),
    known: dict[str, str] | None = None,
) -> tuple[bytes, bool]:
    """The body as the journal keeps it, and whether it was changed: every applicant reference
    replaced by "#" + its keyed pseudonym, and the values at `redact` (and any reference not
    shaped like one) cut out. The raw reference is never stored. A body that mentions a
    reference but cannot be parsed is not kept at all. `known` holds pseudonyms validation
    already computed."""
    known = known or {}
    escaped = b"\\u00" in body  # a field name could be spelt with escapes
    if not redact and not escaped:
        mentions = len(_REF_FIELD.findall(body))
        if not mentions:
            return body, False
        plain = _REF_PLAIN.findall(body)
        if len(plain) == mentions:
            # The common case: plain string values, rewritten in place without a parse.
            keyed = pseudonym_hasher(system_id)

            def replace(match: re.Match) -> bytes:
                value = match.group(2).decode()
                hexed = known.get(value)
                if hexed is None and APPLICANT_REF.match(value):
                    hexed = _keyed_hex(keyed, value)
                new = REDACTED if hexed is None else "#" + hexed
                return b'"applicant_ref"' + match.group(1) + b'"' + new.encode() + b'"'

            return _REF_PLAIN.sub(replace, body), True
    try:
        document = json_parse(body)
    except (problems.JsonTooDeep, MalformedJson):
        return (b"", True) if escaped or _REF_FIELD.search(body) else (body, False)
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        return (b"", True) if escaped or _REF_FIELD.search(body) else (body, False)
    changed = False
    for index, name in redact:
        events[index][name] = REDACTED
        changed = True
    keyed = pseudonym_hasher(system_id)
    for event in events:
        if not isinstance(event, dict) or "applicant_ref" not in event:
            continue
        value = event["applicant_ref"]
        if isinstance(value, str) and APPLICANT_REF.match(value):
            event["applicant_ref"] = "#" + _keyed_hex(keyed, value)
        elif value != REDACTED:
            event["applicant_ref"] = REDACTED
        changed = True
    if not changed:
        return body, False
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), True


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
    it is examined again (`_event_errors`) to say exactly what is wrong. `journalled` is for
    a body read back from the journal, whose applicant references are already pseudonyms.
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
    known = result.pseudonyms
    ref_ok = _journalled_ref_ok if journalled else APPLICANT_REF.match
    case_ok = case_id_ok
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
            and (applicant is None or ref_ok(applicant))
            and case_ok(event["case_id"])
        ):
            result.errors[index] = _event_errors(
                event,
                codes=codes,
                scope=scope,
                latest=latest,
                redact=result.redact,
                index=index,
                ref_ok=ref_ok,
            )
            result.event_ids[index] = event["event_id"].lower()
            continue
        event_id = event["event_id"].lower()
        if not applicant:
            pseudonym_hex = ""
        elif journalled and applicant[0] == "#":
            pseudonym_hex = applicant[1:]
        else:
            pseudonym_hex = known[applicant] = _keyed_hex(keyed, applicant)
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
    ref_ok=APPLICANT_REF.match,
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
    elif not scope.provider_allowed(provider):
        found.append(
            problems.EventOutOfScope.item(
                field="provider_code",
                detail=_("Суб'єкт надання «%(provider)s» поза зоною підключення системи.")
                % {"provider": event["provider_code"]},
            )
        )
    if centre is not None and not scope.centre_allowed(centre):
        found.append(
            problems.EventOutOfScope.item(
                field="centre_code",
                detail=_("Центр «%(centre)s» поза зоною підключення системи.")
                % {"centre": centre_code},
            )
        )
    case_id = event["case_id"]
    if CASE_ID.match(case_id) and not case_id_ok(case_id):
        found.append(
            problems.EventPersonalData.item(
                field="case_id",
                detail=_(
                    "case_id схожий на РНОКПП (10 цифр): номер справи не може містити "
                    "реєстраційний номер облікової картки платника податків."
                ),
            )
        )
        redact.append((index, "case_id"))
    elif not CASE_ID.match(case_id):
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
    if applicant is not None and not ref_ok(applicant):
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
