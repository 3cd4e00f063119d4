"""Checking the rows of an import file, whole, before anything is written: each row against
its kind's rules, the database, and the rows before it in the same file. Every error keeps its
row number and column, so people can fix the file in their spreadsheet."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yakist.registry.enums import Status, TermUnit
from yakist.registry.filelayout import COLUMNS, REQUIRED, Kind
from yakist.registry.importing.cells import (
    CellError,
    parse_bool,
    parse_choice,
    parse_date,
    parse_positive_int,
)
from yakist.registry.models import Centre, Organisation, Service, ServiceTerm, Territory

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("рядок %(row)s") % {"row": self.row}
        if self.column:
            where += _(", поле «%(column)s»") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class _Context:
    """What rows may refer to: the database plus the codes defined earlier in the same file."""

    territories: dict[str, tuple[str, str | None, str]]  # code -> (category, hromada, region)
    organisations: dict[str, str]  # code -> kind
    centres: dict[str, str]  # code -> kind
    file_codes: dict[str, int] = field(default_factory=dict)


def _context(kind: Kind) -> _Context:
    territories = {}
    if kind in ("organisations", "centres"):
        territories = {
            code: (category, hromada, region)
            for code, category, hromada, region in Territory.objects.values_list(
                "code", "category", "hromada_id", "region_id"
            )
        }
    return _Context(
        territories=territories,
        organisations=dict(Organisation.objects.values_list("code", "kind")),
        centres=dict(Centre.objects.values_list("code", "kind")) if kind == "centres" else {},
    )


Validator = Callable[[dict[str, str], _Context, Callable[[str, str], None]], dict[str, Any]]


def _common(raw: dict[str, str], context: _Context, fail: Callable[[str, str], None]) -> dict:
    cleaned: dict[str, Any] = {}
    email = raw.get("email", "")
    if email and not EMAIL_RE.match(email):
        fail("email", _("некоректна адреса електронної пошти"))
    cleaned["email"] = email
    website = raw.get("website", "")
    if website and not website.startswith(("http://", "https://")):
        fail("website", _("адреса вебсайту має починатися з http:// або https://"))
    cleaned["website"] = website
    for name in ("name_en", "address", "phone", "working_hours"):
        cleaned[name] = raw.get(name, "")
    try:
        cleaned["status"] = parse_choice(raw.get("status") or Status.ACTIVE, Status.values)
    except CellError as error:
        fail("status", str(error))
    try:
        cleaned["closed_on"] = parse_date(raw.get("closed_on", ""))
    except CellError as error:
        fail("closed_on", str(error))
    if cleaned.get("status") == Status.CLOSED and not cleaned.get("closed_on"):
        fail("closed_on", _("для закритого суб'єкта потрібна дата закриття"))
    return cleaned


def _territory(
    raw: dict[str, str], context: _Context, fail: Callable[[str, str], None], *, required: bool
) -> tuple[str, str | None, str] | None:
    code = raw.get("territory_code", "")
    if not code:
        if required:
            fail("territory_code", _("значення обов'язкове"))
        return None
    found = context.territories.get(code)
    if found is None:
        fail("territory_code", _("невідомий код КАТОТТГ «%(code)s»") % {"code": code})
        return None
    return (code, found[1], found[2])


def validate_organisation(raw, context: _Context, fail) -> dict[str, Any]:
    cleaned = _common(raw, context, fail)
    try:
        cleaned["kind"] = parse_choice(raw.get("kind", ""), Organisation.Kind.values)
    except CellError as error:
        fail("kind", str(error))
    cleaned["name"] = raw.get("name", "")
    cleaned["short_name"] = raw.get("short_name", "")
    parent = raw.get("parent_code", "")
    if parent and parent not in context.organisations and parent not in context.file_codes:
        fail("parent_code", _("невідомий код вищого органу «%(code)s»") % {"code": parent})
    cleaned["parent_code"] = parent
    territory = _territory(raw, context, fail, required=False)
    cleaned["territory_id"] = territory[0] if territory else None
    cleaned["region_id"] = territory[2] if territory else None
    return cleaned


def validate_centre(raw, context: _Context, fail) -> dict[str, Any]:
    cleaned = _common(raw, context, fail)
    try:
        cleaned["kind"] = parse_choice(raw.get("kind", ""), Centre.Kind.values)
    except CellError as error:
        fail("kind", str(error))
    cleaned["name"] = raw.get("name", "")
    parent = raw.get("parent_code", "")
    if cleaned.get("kind") == Centre.Kind.CENTRE and parent:
        fail("parent_code", _("головний ЦНАП не може мати батьківського центру"))
    elif cleaned.get("kind") and cleaned["kind"] != Centre.Kind.CENTRE and not parent:
        fail("parent_code", _("для точки доступу потрібен код головного ЦНАП"))
    elif parent:
        parent_kind = context.centres.get(parent) or context.file_codes.get(f"centre-kind:{parent}")
        if parent_kind is None:
            fail("parent_code", _("невідомий код головного ЦНАП «%(code)s»") % {"code": parent})
        elif parent_kind != Centre.Kind.CENTRE:
            fail("parent_code", _("батьківський об'єкт «%(code)s» не є ЦНАП") % {"code": parent})
    cleaned["parent_code"] = parent
    founder = raw.get("founder_code", "")
    if founder and founder not in context.organisations:
        fail("founder_code", _("невідомий код утворювача «%(code)s»") % {"code": founder})
    cleaned["founder_code"] = founder
    territory = _territory(raw, context, fail, required=True)
    if territory:
        cleaned["territory_id"], cleaned["hromada_id"], cleaned["region_id"] = territory
    try:
        cleaned["population_served"] = parse_positive_int(raw.get("population_served", "")) or 0
    except CellError as error:
        fail("population_served", str(error))
    try:
        cleaned["opened_on"] = parse_date(raw.get("opened_on", ""))
    except CellError as error:
        fail("opened_on", str(error))
    return cleaned


def validate_service(raw, context: _Context, fail) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        name: raw.get(name, "")
        for name in ("name", "name_en", "category", "fee", "legal_basis", "source_note")
    }
    cleaned["term_source"] = raw.get("term_source", "")
    try:
        cleaned["term_unit"] = parse_choice(raw.get("term_unit", ""), TermUnit.values)
    except CellError as error:
        fail("term_unit", str(error))
    try:
        value = parse_positive_int(raw.get("term_value", ""))
        if cleaned.get("term_unit") == TermUnit.ON_VISIT:
            if value:
                fail("term_value", _("для строку «у день звернення» значення не вказують"))
            value = None
        elif cleaned.get("term_unit") and not value:
            fail("term_value", _("потрібне додатне ціле число для цієї одиниці строку"))
        cleaned["term_value"] = value
    except CellError as error:
        fail("term_value", str(error))
    try:
        cleaned["term_effective_from"] = parse_date(raw.get("term_effective_from", "")) or dt.date(
            2021, 1, 1
        )
    except CellError as error:
        fail("term_effective_from", str(error))
    for name in ("is_paid", "online_available"):
        try:
            cleaned[name] = parse_bool(raw.get(name, ""))
        except CellError as error:
            fail(name, str(error))
    codes = [
        code.strip() for code in re.split(r"[;,]", raw.get("provider_codes", "")) if code.strip()
    ]
    for code in codes:
        if context.organisations.get(code) != Organisation.Kind.PROVIDER:
            fail("provider_codes", _("невідомий суб'єкт надання «%(code)s»") % {"code": code})
    cleaned["provider_codes"] = codes
    return cleaned


def _text_limits(kind: Kind) -> dict[str, int]:
    """Column -> the most characters its database field holds (PostgreSQL enforces it)."""
    model = {"organisations": Organisation, "centres": Centre, "services": Service}[kind]
    limits = {
        f.name: f.max_length
        for f in model._meta.get_fields()
        if getattr(f, "max_length", None) and f.name in COLUMNS[kind]
    }
    if kind == "services":
        limits["term_source"] = ServiceTerm._meta.get_field("source").max_length
    if limits.get("code", 0) >= 40:
        del limits["code"]  # CODE_RE already holds codes to 40 characters
    return limits


def _check_lengths(raw: dict[str, str], limits: dict[str, int], fail) -> None:
    for column, limit in limits.items():
        length = len(raw.get(column, ""))
        if length > limit:
            fail(
                column,
                _("задовге значення: %(length)s символів, дозволено не більше %(limit)s")
                % {"length": length, "limit": limit},
            )


VALIDATORS: dict[str, Validator] = {
    "organisations": validate_organisation,
    "centres": validate_centre,
    "services": validate_service,
}


def validate_rows(
    kind: Kind, rows: list[dict[str, str]]
) -> tuple[list[tuple[int, str, dict]], list[RowError]]:
    """Check every row; return (row number, code, cleaned values) of valid rows and all errors.

    Row numbers count the header as row 1, as spreadsheets do.
    """
    context = _context(kind)
    limits = _text_limits(kind)
    valid, errors = [], []
    rejected: dict[str, int] = {}  # codes first defined by a row with errors -> its row
    missing = REQUIRED[kind] - set(rows[0]) if rows else set()
    if missing:
        return [], [
            RowError(1, column, _("у заголовку немає обов'язкової колонки"))
            for column in sorted(missing)
        ]
    for number, raw in enumerate(rows, start=2):
        row_errors: list[RowError] = []

        def fail(column: str, message: str, number: int = number, row_errors=row_errors) -> None:
            row_errors.append(RowError(number, column, message))

        code = raw.get("code", "")
        _check_code(code, context, fail)
        for column in REQUIRED[kind] - {"code"}:
            if not raw.get(column):
                fail(column, _("значення обов'язкове"))
        _check_lengths(raw, limits, fail)
        cleaned = VALIDATORS[kind](raw, context, fail)
        if code and code not in context.file_codes:
            context.file_codes[code] = number
            if kind == "centres" and cleaned.get("kind"):
                context.file_codes[f"centre-kind:{code}"] = cleaned["kind"]
            if row_errors:
                rejected[code] = number
        if row_errors:
            errors.extend(row_errors)
        else:
            valid.append((number, code, cleaned))
    existing = set(context.centres if kind == "centres" else context.organisations)
    valid = _without_orphans(valid, errors, rejected, existing)
    errors.sort(key=lambda error: error.row)
    return valid, errors


def _check_code(code: str, context: _Context, fail: Callable[[str, str], None]) -> None:
    if not code:
        fail("code", _("значення обов'язкове"))
    elif not CODE_RE.match(code):
        fail("code", _("код має містити лише латинські літери, цифри, «-», «_», «.» (до 40)"))
    elif code in context.file_codes:
        fail(
            "code",
            _("код «%(code)s» повторюється (уже є в рядку %(row)s)")
            % {"code": code, "row": context.file_codes[code]},
        )


def _without_orphans(
    valid: list[tuple[int, str, dict]],
    errors: list[RowError],
    rejected: dict[str, int],
    existing: set[str],
) -> list[tuple[int, str, dict]]:
    """A row whose parent exists only as a rejected row of the same file is rejected too,
    so a partial import never leaves an access point without its centre."""
    rejected = dict(rejected)
    while True:
        kept = []
        for number, code, cleaned in valid:
            parent = cleaned.get("parent_code")
            if parent and parent not in existing and parent in rejected:
                errors.append(
                    RowError(
                        number,
                        "parent_code",
                        _("«%(code)s» визначено в рядку %(row)s, який має помилки")
                        % {"code": parent, "row": rejected[parent]},
                    )
                )
                rejected.setdefault(code, number)
            else:
                kept.append((number, code, cleaned))
        if len(kept) == len(valid):
            return kept
        valid = kept
