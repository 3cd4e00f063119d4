"""Import and export of subjects, centres and services as CSV or XLSX.

A file is checked whole before anything is written: every row error is reported with its row
number and column, and a file with errors changes nothing unless the caller asks for a partial
import of the valid rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.models import AuditEntry
from yakist.accounts.scope import require_write
from yakist.accounts.services import audit_record_many
from yakist.core.problems import Forbidden, Problem
from yakist.core.spreadsheets import csv_row_safe, rows_capped, xlsx_bytes, xlsx_open
from yakist.registry.enums import Status, TermUnit
from yakist.registry.models import Centre, Organisation, Service, ServiceTerm, Territory

Kind = Literal["organisations", "centres", "services"]
KINDS: tuple[Kind, ...] = ("organisations", "centres", "services")

COLUMNS: dict[str, list[str]] = {
    "organisations": [
        "code",
        "kind",
        "name",
        "name_en",
        "short_name",
        "parent_code",
        "territory_code",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "status",
        "closed_on",
    ],
    "centres": [
        "code",
        "kind",
        "name",
        "name_en",
        "parent_code",
        "founder_code",
        "territory_code",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "population_served",
        "status",
        "opened_on",
        "closed_on",
    ],
    "services": [
        "code",
        "name",
        "name_en",
        "category",
        "term_value",
        "term_unit",
        "term_effective_from",
        "term_source",
        "is_paid",
        "fee",
        "online_available",
        "provider_codes",
        "legal_basis",
        "source_note",
    ],
}
REQUIRED = {
    "organisations": {"code", "kind", "name"},
    "centres": {"code", "kind", "name", "territory_code"},
    "services": {"code", "name", "term_unit"},
}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,39}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# PositiveIntegerField holds this much on every database (PostgreSQL refuses more).
MAX_INTEGER = 2_147_483_647
TRUE_WORDS = {"true", "1", "yes", "так", "t", "y", "+"}
FALSE_WORDS = {"false", "0", "no", "ні", "f", "n", "-", ""}


class ImportFileInvalid(Problem):
    slug = "import-file-invalid"
    status = 400
    title = gettext_lazy("Файл не можна прочитати")
    description = gettext_lazy(
        "Файл імпорту має бути CSV (UTF-8, роздільник кома або крапка з комою) або XLSX "
        "з рядком заголовків у першому рядку."
    )


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
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading files -------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as {column: text}, header names normalised."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xls")):  # a real .xls is refused with its own message
        rows = _read_xlsx(content)
    elif name.endswith((".csv", ".txt")):
        rows = _read_csv(content)
    else:
        raise ImportFileInvalid(
            _("Непідтримуваний формат файлу «%(name)s»: потрібен .csv або .xlsx.")
            % {"name": filename}
        )
    if not rows:
        raise ImportFileInvalid(_("Файл порожній: немає рядка заголовків."))
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if not any(header):
        raise ImportFileInvalid(_("Перший рядок файлу має містити назви колонок."))
    result = []
    for values in rows[1:]:
        if all(str(value or "").strip() == "" for value in values):
            continue  # blank lines at the end of spreadsheets are common
        record = {
            column: _cell_text(values[index]) if index < len(values) else ""
            for index, column in enumerate(header)
            if column
        }
        result.append(record)
    return result


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileInvalid(
            _("CSV-файл має бути в кодуванні UTF-8 (байт %(position)s не розпізнано).")
            % {"position": error.start}
        ) from error
    if "\x00" in text:
        raise ImportFileInvalid(_("CSV-файл містить двійкові дані; це не текстовий файл."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return list(rows_capped(reader))
    except csv.Error as error:
        raise ImportFileInvalid(
            _("Некоректний CSV у рядку %(line)s: перевірте лапки й роздільники (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from error


def _read_xlsx(content: bytes) -> list[list[Any]]:
    with xlsx_open(content) as workbook:
        sheet = workbook.worksheets[0]
        return [list(row) for row in rows_capped(sheet.iter_rows(values_only=True))]


# --- Parsing cells ---------------------------------------------------------------------------


class CellError(ValueError):
    pass


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("очікується «так» або «ні» (true/false), отримано «%(v)s»") % {"v": text})


def parse_date(text: str) -> dt.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("очікується дата РРРР-ММ-ДД або ДД.ММ.РРРР, отримано «%(v)s»") % {"v": text})


def parse_positive_int(text: str, *, allow_empty: bool = True) -> int | None:
    if not text:
        if allow_empty:
            return None
        raise CellError(_("значення обов'язкове"))
    try:
        value = int(text)
    except ValueError as error:
        raise CellError(_("очікується ціле число, отримано «%(v)s»") % {"v": text}) from error
    if value < 0:
        raise CellError(_("число не може бути від'ємним"))
    if value > MAX_INTEGER:
        raise CellError(_("число завелике (не більше %(max)s)") % {"max": MAX_INTEGER})
    return value


def parse_choice(text: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if text not in allowed:
        raise CellError(
            _("недопустиме значення «%(v)s»; дозволено: %(allowed)s")
            % {"v": text, "allowed": ", ".join(allowed)}
        )
    return text


# --- Validating rows -------------------------------------------------------------------------


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


# --- Applying --------------------------------------------------------------------------------


def registry_import(
    *,
    kind: Kind,
    filename: str,
    content: bytes,
    allow_partial: bool = False,
    dry_run: bool = False,
    actor=None,
) -> ImportReport:
    scope = require_write(actor)
    if scope is not None and not scope.can_edit_registry:
        raise Forbidden(_("Реєстр змінює лише Мінцифри."))
    rows = read_table(filename, content)
    report = ImportReport(kind=kind, rows=len(rows))
    valid, report.errors = validate_rows(kind, rows)
    if dry_run or (report.errors and not allow_partial) or not valid:
        return report
    with transaction.atomic():
        created, updated, unchanged, audit = APPLIERS[kind](
            [v for _, _, v in valid], [c for _, c, _ in valid]
        )
        for entry in audit:
            entry.actor = actor if getattr(actor, "is_authenticated", False) else None
            entry.actor_name = actor.get_username() if entry.actor else "system"
        audit_record_many(entries=audit)
    report.created, report.updated, report.unchanged = created, updated, unchanged
    report.applied = True
    return report


def _upsert(model, fields: list[str], records: list[tuple[str, dict]], label: str):
    """Create or update by code; return counts and an audit entry per changed object."""
    existing = {obj.code: obj for obj in model.objects.filter(code__in=[c for c, _ in records])}
    to_create, to_update, audit = [], [], []
    unchanged = 0
    for code, values in records:
        obj = existing.get(code)
        if obj is None:
            obj = model(code=code, **{name: values[name] for name in fields})
            to_create.append(obj)
            audit.append(
                AuditEntry(
                    action="create",
                    object_type=label,
                    object_id=code,
                    summary=f"{code} {values.get('name', '')}"[:500],
                    changes={"source": "import"},
                )
            )
            continue
        changes = {
            name: [_jsonable(getattr(obj, name)), _jsonable(values[name])]
            for name in fields
            if getattr(obj, name) != values[name]
        }
        if not changes:
            unchanged += 1
            continue
        for name in fields:
            setattr(obj, name, values[name])
        to_update.append(obj)
        audit.append(
            AuditEntry(
                action="update",
                object_type=label,
                object_id=code,
                summary=f"{code} {values.get('name', '')}"[:500],
                changes=changes,
            )
        )
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), len(to_update), unchanged, audit


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _apply_organisations(values: list[dict], codes: list[str]):
    ids = dict(Organisation.objects.values_list("code", "pk"))
    fields = [
        "kind",
        "name",
        "name_en",
        "short_name",
        "territory_id",
        "region_id",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "status",
        "closed_on",
    ]
    result = _upsert(
        Organisation, fields, list(zip(codes, values, strict=True)), "registry.organisation"
    )
    # Parents may be defined in the same file, so they are linked after every row exists.
    ids = dict(Organisation.objects.values_list("code", "pk"))
    parents = [
        Organisation(pk=ids[c], parent_id=ids.get(v["parent_code"]))
        for c, v in zip(codes, values, strict=True)
    ]
    Organisation.objects.bulk_update(parents, ["parent_id"], batch_size=500)
    return result


def _apply_centres(values: list[dict], codes: list[str]):
    organisations = dict(Organisation.objects.values_list("code", "pk"))
    for value in values:
        value["founder_id"] = organisations.get(value["founder_code"])
    fields = [
        "kind",
        "name",
        "name_en",
        "founder_id",
        "territory_id",
        "hromada_id",
        "region_id",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "population_served",
        "status",
        "opened_on",
        "closed_on",
    ]
    result = _upsert(Centre, fields, list(zip(codes, values, strict=True)), "registry.centre")
    ids = dict(Centre.objects.values_list("code", "pk"))
    parents = [
        Centre(pk=ids[c], parent_id=ids.get(v["parent_code"]))
        for c, v in zip(codes, values, strict=True)
    ]
    Centre.objects.bulk_update(parents, ["parent_id"], batch_size=500)
    return result


def _apply_services(values: list[dict], codes: list[str]):
    fields = [
        "name",
        "name_en",
        "category",
        "is_paid",
        "fee",
        "online_available",
        "legal_basis",
        "source_note",
    ]
    result = _upsert(Service, fields, list(zip(codes, values, strict=True)), "registry.service")
    services = dict(Service.objects.filter(code__in=codes).values_list("code", "pk"))
    providers = dict(
        Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("code", "pk")
    )
    terms = {
        (t.service_id, t.effective_from): t
        for t in ServiceTerm.objects.filter(service_id__in=services.values())
    }
    new_terms, changed_terms = [], []
    links = Service.providers.through
    links.objects.filter(service_id__in=services.values()).delete()
    new_links = []
    for code, value in zip(codes, values, strict=True):
        service_id = services[code]
        key = (service_id, value["term_effective_from"])
        term = terms.get(key)
        if term is None:
            new_terms.append(
                ServiceTerm(
                    service_id=service_id,
                    value=value["term_value"],
                    unit=value["term_unit"],
                    effective_from=key[1],
                    source=value["term_source"],
                )
            )
        elif (term.value, term.unit, term.source) != (
            value["term_value"],
            value["term_unit"],
            value["term_source"],
        ):
            term.value, term.unit, term.source = (
                value["term_value"],
                value["term_unit"],
                value["term_source"],
            )
            changed_terms.append(term)
        new_links.extend(
            links(service_id=service_id, organisation_id=providers[p])
            for p in value["provider_codes"]
        )
    ServiceTerm.objects.bulk_create(new_terms, batch_size=1000)
    if changed_terms:
        ServiceTerm.objects.bulk_update(changed_terms, ["value", "unit", "source"], batch_size=500)
    links.objects.bulk_create(new_links, batch_size=1000, ignore_conflicts=True)
    return result


APPLIERS = {
    "organisations": _apply_organisations,
    "centres": _apply_centres,
    "services": _apply_services,
}


# --- Export ----------------------------------------------------------------------------------


def export_rows(kind: Kind) -> list[list[Any]]:
    columns = COLUMNS[kind]
    rows: list[list[Any]] = [columns]
    if kind == "organisations":
        for org in Organisation.objects.select_related("parent").order_by("code"):
            rows.append(
                [
                    org.code,
                    org.kind,
                    org.name,
                    org.name_en,
                    org.short_name,
                    org.parent.code if org.parent else "",
                    org.territory_id or "",
                    org.address,
                    org.phone,
                    org.email,
                    org.website,
                    org.working_hours,
                    org.status,
                    org.closed_on or "",
                ]
            )
    elif kind == "centres":
        for c in Centre.objects.select_related("parent", "founder").order_by("code"):
            rows.append(
                [
                    c.code,
                    c.kind,
                    c.name,
                    c.name_en,
                    c.parent.code if c.parent else "",
                    c.founder.code if c.founder else "",
                    c.territory_id,
                    c.address,
                    c.phone,
                    c.email,
                    c.website,
                    c.working_hours,
                    c.population_served,
                    c.status,
                    c.opened_on or "",
                    c.closed_on or "",
                ]
            )
    else:
        providers: dict[int, list[str]] = {}
        for service_id, code in Service.providers.through.objects.values_list(
            "service_id", "organisation__code"
        ):
            providers.setdefault(service_id, []).append(code)
        latest: dict[int, ServiceTerm] = {}
        for term in ServiceTerm.objects.order_by("service_id", "effective_from"):
            latest[term.service_id] = term
        for s in Service.objects.order_by("code"):
            term = latest.get(s.pk)
            rows.append(
                [
                    s.code,
                    s.name,
                    s.name_en,
                    s.category,
                    term.value if term and term.value else "",
                    term.unit if term else "",
                    term.effective_from if term else "",
                    term.source if term else "",
                    "true" if s.is_paid else "false",
                    s.fee,
                    "true" if s.online_available else "false",
                    ";".join(sorted(providers.get(s.pk, []))),
                    s.legal_basis,
                    s.source_note,
                ]
            )
    return rows


def registry_export(*, kind: Kind, fmt: Literal["csv", "xlsx"]) -> bytes:
    rows = export_rows(kind)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(csv_row_safe(_cell_text(v) for v in row) for row in rows)
        return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read UTF-8
    dates_as_text = ([_cell_text(v) if isinstance(v, dt.date) else v for v in row] for row in rows)
    return xlsx_bytes({kind: dates_as_text})
