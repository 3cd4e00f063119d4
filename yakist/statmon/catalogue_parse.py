"""Parsing and checking a catalogue file (data/statmon/form-v*.yaml) before anything is stored.

A catalogue is reviewed like code, so a file is checked whole and every problem is reported at
once with its place in the file; nothing reaches the database until the file is clean
(catalogue.form_load stores it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core import basis as bases
from yakist.core.problems import Problem
from yakist.registry.models.reference import Centre
from yakist.statmon.catalogue_checks import Problems, catalogue_problems
from yakist.statmon.models import NUMERIC_TYPES, Aggregation, IndicatorType
from yakist.statmon.specs import CheckSpec, Choice, FormSpec, IndicatorSpec, SectionSpec

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}(\.[A-Z0-9_]{1,28})?$")
PREFILL_RE = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
KINDS = tuple(Centre.Kind.values)
FORM_KEYS = {
    "code",
    "version",
    "title",
    "title_en",
    "effective_from",
    "effective_to",
    "reporting_kinds",
    "source",
    "basis",
}
SECTION_KEYS = {
    "code",
    "title",
    "title_en",
    "source",
    "description",
    "indicators",
    "applies_to",
    "carry_over",
    "checklist",
    "aggregation",
    "type",
    "unit",
    "change_warning",
    "basis",
}
INDICATOR_KEYS = {
    "code",
    "name",
    "name_en",
    "help",
    "type",
    "unit",
    "choices",
    "applies_to",
    "required",
    "min",
    "max",
    "decimals",
    "aggregation",
    "weight",
    "checklist",
    "carry_over",
    "prefill",
    "change_warning",
    "le",
    "required_if",
    "basis",
}
CHECK_KEYS = {
    "id",
    "rule",
    "severity",
    "message",
    "left",
    "right",
    "parts",
    "total",
    "field",
    "when",
    "basis",
}


class CatalogueInvalid(Problem):
    slug = "catalogue-invalid"
    status = 422
    title = gettext_lazy("Каталог показників містить помилки")
    description = gettext_lazy(
        "Файл каталогу не завантажено: поле errors перелічує кожну помилку з місцем у файлі."
    )


class CatalogueErrors(Problems):
    """Problems found in a catalogue, each with its place in the file."""

    def unknown_keys(self, where: str, raw: dict, allowed: set[str]) -> None:
        """A misspelt key (or a comma in an unquoted YAML value) must not pass silently."""
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            self.add(
                where,
                _("невідомі ключі: %(keys)s (кома в значенні без лапок розбиває рядок)")
                % {"keys": ", ".join(unknown)},
            )

    def refuse_if_any(self) -> None:
        if self:
            raise CatalogueInvalid(
                _("Каталог не завантажено: знайдено помилок — %(n)s.") % {"n": len(self)},
                extra={"errors": list(self)},
            )


def catalogue_parse(content: bytes, *, file_name: str = "") -> FormSpec:
    """Parse and check a catalogue file; raise CatalogueInvalid listing every problem found."""
    document = _document_load(content)
    errors = CatalogueErrors()
    head = document["form"]
    errors.unknown_keys("form", head, FORM_KEYS)
    # `bases` is a library of YAML anchors the rules refer to.
    errors.unknown_keys("", document, {"form", "sections", "checks", "bases"})
    spec = _parse_head(head, content, file_name, errors)
    _parse_sections(document.get("sections"), spec, errors)
    _parse_checks(document.get("checks") or [], spec, errors)
    errors.extend(catalogue_problems(spec))
    errors.refuse_if_any()
    return spec


def _document_load(content: bytes) -> dict:
    """The file as plain YAML data shaped like a catalogue, or CatalogueInvalid."""
    try:
        # The C-accelerated *safe* loader when available: plain data, never Python objects.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = yaml.load(content.decode("utf-8"), Loader=loader)  # noqa: S506
    except UnicodeDecodeError as error:
        raise CatalogueInvalid(
            _("Файл має бути в кодуванні UTF-8."), extra={"errors": [str(error)]}
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _("рядок %(line)s") % {"line": mark.line + 1} if mark else ""
        raise CatalogueInvalid(
            _("Файл не є коректним YAML."),
            extra={"errors": [f"{where}: {getattr(error, 'problem', error)}"]},
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("form"), dict):
        raise CatalogueInvalid(
            _("Файл не схожий на каталог показників."),
            extra={"errors": [_("очікується словник з ключами form, sections, checks")]},
        )
    return document


def _parse_head(head: dict, content: bytes, file_name: str, errors: CatalogueErrors) -> FormSpec:
    """The form's own fields (`form:`); sections, indicators and checks are added after."""
    spec = FormSpec(
        code=str(head.get("code") or ""),
        version=_int(head.get("version"), errors, "form.version"),
        title=str(head.get("title") or ""),
        title_en=str(head.get("title_en") or ""),
        effective_from=_date(head.get("effective_from"), errors, "form.effective_from", True),
        effective_to=_date(head.get("effective_to"), errors, "form.effective_to", False),
        reporting_kinds=tuple(head.get("reporting_kinds") or ()),
        source=str(head.get("source") or "").strip(),
        sections=[],
        indicators={},
        checks=[],
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=file_name,
    )
    errors.extend(bases.errors("form", head.get("basis")))
    spec.bases = {"form": bases.stored(head.get("basis") or {}), "sections": {}, "indicators": {}}
    if not spec.code:
        errors.add("form.code", _("код форми обов'язковий"))
    if not spec.title:
        errors.add("form.title", _("назва форми обов'язкова"))
    if spec.effective_from and spec.effective_to and spec.effective_to < spec.effective_from:
        errors.add("form.effective_to", _("дата закінчення раніша за дату початку"))
    unknown_kinds = set(spec.reporting_kinds) - set(KINDS)
    if not spec.reporting_kinds or unknown_kinds:
        errors.add(
            "form.reporting_kinds",
            _("потрібен список видів центрів з %(kinds)s") % {"kinds": ", ".join(KINDS)},
        )
    return spec


def _int(value: Any, errors: CatalogueErrors, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    errors.add(where, _("очікується додатне ціле число"))
    return 0


def _date(value: Any, errors: CatalogueErrors, where: str, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.add(where, _("дата обов'язкова (РРРР-ММ-ДД)"))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(where, _("очікується дата РРРР-ММ-ДД, отримано «%(v)s»") % {"v": value})
        return None


def _decimal(value: Any, errors: CatalogueErrors, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.add(where, _("очікується число, отримано «%(v)s»") % {"v": value})
        return None


@dataclass(frozen=True)
class SectionDefaults:
    """What a section states once for all its indicators (an indicator may override each)."""

    applies_to: list
    carry_over: bool
    checklist: bool
    aggregation: Any
    type: Any
    unit: Any
    change_warning: bool

    @classmethod
    def of(cls, raw: dict, spec: FormSpec) -> SectionDefaults:
        return cls(
            applies_to=raw.get("applies_to") or list(spec.reporting_kinds),
            carry_over=bool(raw.get("carry_over", False)),
            checklist=bool(raw.get("checklist", False)),
            aggregation=raw.get("aggregation"),
            type=raw.get("type"),
            unit=raw.get("unit", ""),
            change_warning=bool(raw.get("change_warning", False)),
        )


class Bounds(NamedTuple):
    low: Decimal | None
    high: Decimal | None


def _parse_sections(sections: Any, spec: FormSpec, errors: CatalogueErrors) -> None:
    if not isinstance(sections, list) or not sections:
        errors.add("sections", _("потрібен непорожній список розділів"))
        return
    section_codes: set[str] = set()
    for number, raw in enumerate(sections, start=1):
        if not isinstance(raw, dict):
            errors.add(f"sections[{number}]", _("розділ має бути словником"))
            continue
        _parse_section(raw, number, section_codes, spec, errors)


def _parse_section(
    raw: dict, number: int, section_codes: set[str], spec: FormSpec, errors: CatalogueErrors
) -> None:
    code = raw.get("code")
    where = _("розділ %(code)s") % {"code": code or number}
    if isinstance(code, bool):
        errors.add(
            where, _("YAML прочитав код як так/ні (OFF, ON, NO, YES): візьміть його в лапки")
        )
        code = ""
    code = str(code or "")
    if not code:
        errors.add(where, _("код розділу обов'язковий"))
    elif code in section_codes:
        errors.add(where, _("код розділу повторюється"))
    section_codes.add(code)
    errors.unknown_keys(where, raw, SECTION_KEYS)
    if not raw.get("title"):
        errors.add(where, _("назва розділу обов'язкова"))
    if not str(raw.get("source") or "").strip():
        errors.add(where, _("розділ має посилатися на джерело (source)"))
    errors.extend(bases.errors(_("розділ %(code)s") % {"code": code}, raw.get("basis")))
    spec.bases.setdefault("sections", {})[code] = bases.stored(raw.get("basis") or {})
    defaults = SectionDefaults.of(raw, spec)
    codes = []
    indicators = raw.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        errors.add(where, _("розділ без показників"))
        indicators = []
    for item in indicators:
        indicator = _parse_indicator(item, code, defaults, spec, errors)
        if indicator is not None:
            codes.append(indicator.code)
    spec.sections.append(
        SectionSpec(
            code=code,
            title=str(raw.get("title") or ""),
            title_en=str(raw.get("title_en") or ""),
            source=str(raw.get("source") or "").strip(),
            description=str(raw.get("description") or "").strip(),
            codes=tuple(codes),
        )
    )


def _parse_indicator(
    raw: Any, section: str, defaults: SectionDefaults, spec: FormSpec, errors: CatalogueErrors
) -> IndicatorSpec | None:
    if not isinstance(raw, dict):
        errors.add(_("розділ %(code)s") % {"code": section}, _("показник має бути словником"))
        return None
    code = str(raw.get("code") or "")
    where = _("показник %(code)s") % {"code": code or "?"}
    if not CODE_RE.match(code):
        errors.add(where, _("код має вигляд РОЗДІЛ.НАЗВА великими латинськими літерами"))
    if code in spec.indicators:
        errors.add(where, _("код показника повторюється"))
        return None
    errors.unknown_keys(where, raw, INDICATOR_KEYS)
    kind = raw.get("type", defaults.type)
    if kind not in IndicatorType.values:
        errors.add(
            where,
            _("невідомий тип «%(type)s»; допустимі: %(types)s")
            % {"type": kind, "types": ", ".join(IndicatorType.values)},
        )
        return None
    indicator = _indicator_build(raw, code, section, kind, defaults, spec, where, errors)
    _indicator_register(indicator, raw, spec, errors)
    return indicator


def _indicator_build(
    raw: dict,
    code: str,
    section: str,
    kind: str,
    defaults: SectionDefaults,
    spec: FormSpec,
    where: str,
    errors: CatalogueErrors,
) -> IndicatorSpec:
    """The indicator's values, each checked in the order its problems are reported."""
    numeric = kind in NUMERIC_TYPES
    aggregation = _aggregation(raw, kind, defaults, where, errors)
    applies_to = _applies_to(raw, defaults, spec, where, errors)
    choices = _choices(raw.get("choices"), kind, where, errors)
    bounds = _bounds(raw, kind, where, errors)
    decimals = _decimals(raw, kind, where, errors)
    prefill = str(raw.get("prefill") or "")
    if prefill and not PREFILL_RE.match(prefill):
        errors.add(where, _("prefill має вигляд джерело:факт, напр. registry:working_hours"))
    name = str(raw.get("name") or "")
    if not name:
        errors.add(where, _("назва обов'язкова"))
    if not raw.get("name_en"):
        errors.add(where, _("назва англійською (name_en) обов'язкова"))
    return IndicatorSpec(
        code=code,
        section=section,
        name=name,
        name_en=str(raw.get("name_en") or ""),
        help=str(raw.get("help") or "").strip(),
        type=kind,
        unit=str(raw.get("unit", defaults.unit if numeric else "") or ""),
        choices=choices,
        applies_to=frozenset(applies_to),
        required=bool(raw.get("required", kind != IndicatorType.TEXT)),
        min_value=bounds.low,
        max_value=bounds.high,
        decimals=decimals,
        aggregation=aggregation,
        weight=str(raw.get("weight") or ""),
        checklist=bool(raw.get("checklist", defaults.checklist)),
        carry_over=bool(raw.get("carry_over", defaults.carry_over)),
        prefill=prefill,
        change_warning=bool(
            raw.get(
                "change_warning",
                defaults.change_warning or (numeric and aggregation == Aggregation.SUM),
            )
        ),
    )


def _aggregation(
    raw: dict, kind: str, defaults: SectionDefaults, where: str, errors: CatalogueErrors
) -> str:
    numeric = kind in NUMERIC_TYPES
    # Section defaults for aggregation and unit are meant for its numbers, not its yes/no items.
    aggregation = raw.get("aggregation", defaults.aggregation if numeric else None)
    if aggregation is None:
        aggregation = {
            IndicatorType.BOOLEAN: Aggregation.SHARE,
            IndicatorType.TEXT: Aggregation.NONE,
            IndicatorType.CHOICE: Aggregation.NONE,
        }.get(kind)
    if aggregation not in Aggregation.values:
        errors.add(where, _("потрібне правило зведення: sum, mean, share або none"))
        aggregation = Aggregation.NONE
    elif aggregation in (Aggregation.SUM, Aggregation.MEAN) and not numeric:
        errors.add(where, _("правило %(rule)s можливе лише для чисел") % {"rule": aggregation})
    elif aggregation == Aggregation.SHARE and kind != IndicatorType.BOOLEAN:
        errors.add(where, _("правило share можливе лише для показників так/ні"))
    return aggregation


def _applies_to(
    raw: dict, defaults: SectionDefaults, spec: FormSpec, where: str, errors: CatalogueErrors
) -> list:
    applies_to = raw.get("applies_to", defaults.applies_to)
    if (
        not isinstance(applies_to, list)
        or not applies_to
        or set(applies_to) - set(spec.reporting_kinds)
    ):
        errors.add(
            where,
            _("applies_to має бути списком з видів, що звітують: %(kinds)s")
            % {"kinds": ", ".join(spec.reporting_kinds)},
        )
        applies_to = list(spec.reporting_kinds)
    return applies_to


def _bounds(raw: dict, kind: str, where: str, errors: CatalogueErrors) -> Bounds:
    min_value = _decimal(raw.get("min"), errors, where)
    max_value = _decimal(raw.get("max"), errors, where)
    if kind == IndicatorType.PERCENT:
        min_value = Decimal(0) if min_value is None else min_value
        max_value = Decimal(100) if max_value is None else max_value
        if min_value < 0 or max_value > 100:
            errors.add(where, _("межі відсотка мають бути в діапазоні 0–100"))
    elif kind in NUMERIC_TYPES and min_value is None:
        min_value = Decimal(0)  # counts, areas and money in a quarterly report are never negative
    if min_value is not None and max_value is not None and min_value > max_value:
        errors.add(where, _("мінімум більший за максимум"))
    return Bounds(min_value, max_value)


def _decimals(raw: dict, kind: str, where: str, errors: CatalogueErrors) -> int:
    decimals = raw.get("decimals", 0 if kind == IndicatorType.INTEGER else 1)
    if not isinstance(decimals, int) or not 0 <= decimals <= 4:
        errors.add(where, _("decimals — ціле число від 0 до 4"))
        decimals = 0
    return decimals


def _indicator_register(
    indicator: IndicatorSpec, raw: dict, spec: FormSpec, errors: CatalogueErrors
) -> None:
    """Add the indicator to the form with its basis and the checks written on it."""
    code = indicator.code
    spec.indicators[code] = indicator
    if indicator.checklist:
        # A checklist item scores centres: it states its own basis, not its section's.
        errors.extend(bases.errors(code, raw.get("basis")))
    if raw.get("basis") is not None:
        if not indicator.checklist:
            errors.extend(bases.errors(code, raw.get("basis")))
        spec.bases.setdefault("indicators", {})[code] = bases.stored(raw["basis"])
    # Shorthands on an indicator become form-level checks, so every rule lives in one list.
    if raw.get("le"):
        spec.checks.append(
            CheckSpec(id=f"{code}<={raw['le']}", rule="le", left=code, right=str(raw["le"]))
        )
    if raw.get("required_if"):
        spec.checks.append(
            CheckSpec(
                id=f"{code}?{raw['required_if']}",
                rule="required_if",
                field=code,
                when=str(raw["required_if"]),
            )
        )


def _choices(raw: Any, kind: str, where: str, errors: CatalogueErrors) -> tuple[Choice, ...]:
    if kind != IndicatorType.CHOICE:
        if raw:
            errors.add(where, _("варіанти вибору дозволені лише для типу choice"))
        return ()
    if not isinstance(raw, list) or len(raw) < 2:
        errors.add(where, _("для типу choice потрібні щонайменше два варіанти"))
        return ()
    result, seen = [], set()
    for item in raw:
        if not isinstance(item, dict) or not item.get("value") or not item.get("label"):
            errors.add(where, _("варіант вибору має поля value і label"))
            continue
        if item["value"] in seen:
            errors.add(where, _("варіант «%(v)s» повторюється") % {"v": item["value"]})
        seen.add(item["value"])
        result.append(Choice(str(item["value"]), str(item["label"]), str(item.get("label_en", ""))))
    return tuple(result)


def _parse_checks(raw_checks: Any, spec: FormSpec, errors: CatalogueErrors) -> None:
    if not isinstance(raw_checks, list):
        errors.add("checks", _("перевірки мають бути списком"))
        return
    for number, raw in enumerate(raw_checks, start=1):
        if not isinstance(raw, dict):
            errors.add(f"checks[{number}]", _("перевірка має бути словником"))
            continue
        errors.unknown_keys(_("перевірка %(id)s") % {"id": raw.get("id", number)}, raw, CHECK_KEYS)
        spec.checks.append(
            CheckSpec(
                id=str(raw.get("id") or f"#{number}"),
                rule=str(raw.get("rule") or ""),
                severity=str(raw.get("severity") or "error"),
                message=str(raw.get("message") or ""),
                left=str(raw.get("left") or ""),
                right=str(raw.get("right") or ""),
                parts=tuple(str(p) for p in raw.get("parts") or ()),
                total=str(raw.get("total") or ""),
                field=str(raw.get("field") or ""),
                when=str(raw.get("when") or ""),
                basis=raw.get("basis") or {},
            )
        )
        errors.extend(
            bases.errors(_("перевірка %(id)s") % {"id": raw.get("id", number)}, raw.get("basis"))
        )
