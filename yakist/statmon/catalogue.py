"""The indicator catalogue: a YAML file checked whole, then stored as an immutable form version.

A catalogue file is reviewed like code (data/statmon/). Loading it never edits a stored
version: the same file again is a no-op, a changed file needs a new version number, and the
new version's effective period may only follow the ones already loaded (an open-ended
predecessor is closed the day before the new one starts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.services import audit_record
from yakist.core import basis as bases
from yakist.core.problems import Problem
from yakist.registry.models.reference import Centre
from yakist.statmon.models import (
    NUMERIC_TYPES,
    Aggregation,
    FormVersion,
    Indicator,
    IndicatorType,
    Section,
)

CHECK_RULES = ("le", "parts_le_total", "required_if")
SEVERITIES = ("error", "warning")
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
# A consistency check written as a shorthand on a field (le, required_if) is a model rule.
SHORTHAND_BASIS = {
    "kind": "model",
    "rationale": "Арифметична або логічна узгодженість полів звіту; захищає від помилок введення.",
    "replace_with": "правила контролю офіційної форми Мінцифри, коли її буде звірено",
}


class CatalogueInvalid(Problem):
    slug = "catalogue-invalid"
    status = 422
    title = gettext_lazy("Каталог показників містить помилки")
    description = gettext_lazy(
        "Файл каталогу не завантажено: поле errors перелічує кожну помилку з місцем у файлі."
    )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    section: str
    name: str
    name_en: str
    help: str
    type: str
    unit: str
    choices: tuple[Choice, ...]
    applies_to: frozenset[str]
    required: bool
    min_value: Decimal | None
    max_value: Decimal | None
    decimals: int
    aggregation: str
    weight: str
    checklist: bool
    carry_over: bool
    prefill: str
    change_warning: bool

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def choice_label(self, value: Any) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(frozen=True)
class CheckSpec:
    id: str
    rule: str
    severity: str = "error"
    message: str = ""
    left: str = ""
    right: str = ""
    parts: tuple[str, ...] = ()
    total: str = ""
    field: str = ""
    when: str = ""
    basis: dict = dataclass_field(
        default_factory=lambda: dict(SHORTHAND_BASIS), hash=False, compare=False
    )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(
            c for c in (self.left, self.right, *self.parts, self.total, self.field, self.when) if c
        )

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "rule": self.rule, "severity": self.severity}
        for name in ("left", "right", "total", "field", "when", "message"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.parts:
            data["parts"] = list(self.parts)
        data["basis"] = bases.stored(self.basis)
        return data


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    title_en: str
    source: str
    description: str
    codes: tuple[str, ...]


@dataclass
class FormSpec:
    code: str
    version: int
    title: str
    title_en: str
    effective_from: dt.date
    effective_to: dt.date | None
    reporting_kinds: tuple[str, ...]
    source: str
    sections: list[SectionSpec]
    indicators: dict[str, IndicatorSpec]
    checks: list[CheckSpec]
    sha256: str = ""
    # {"form": basis, "sections": {code: basis}, "indicators": {code: basis}} (checks carry theirs)
    bases: dict = field(default_factory=dict)
    id: int | None = None
    file_name: str = ""
    prefill_warnings: list[str] = field(default_factory=list)

    def applicable(self, kind: str) -> list[IndicatorSpec]:
        return [spec for spec in self.indicators.values() if kind in spec.applies_to]

    def applicable_codes(self, kind: str) -> set[str]:
        return {spec.code for spec in self.indicators.values() if kind in spec.applies_to}

    def section_indicators(self, section: SectionSpec, kind: str | None = None):
        specs = [self.indicators[code] for code in section.codes]
        return [s for s in specs if kind is None or kind in s.applies_to]


# --- Parsing and checking a catalogue file -----------------------------------------------------


class _Errors(list):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)

    def unknown_keys(self, where: str, raw: dict, allowed: set[str]) -> None:
        """A misspelt key (or a comma in an unquoted YAML value) must not pass silently."""
        unknown = sorted(str(key) for key in raw if key not in allowed)
        if unknown:
            self.add(
                where,
                _("невідомі ключі: %(keys)s (кома в значенні без лапок розбиває рядок)")
                % {"keys": ", ".join(unknown)},
            )


def catalogue_parse(content: bytes, *, file_name: str = "") -> FormSpec:
    """Parse and check a catalogue file; raise CatalogueInvalid listing every problem found."""
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
    errors = _Errors()
    if not isinstance(document, dict) or not isinstance(document.get("form"), dict):
        raise CatalogueInvalid(
            _("Файл не схожий на каталог показників."),
            extra={"errors": [_("очікується словник з ключами form, sections, checks")]},
        )
    head = document["form"]
    errors.unknown_keys("form", head, FORM_KEYS)
    # `bases` is a library of YAML anchors the rules refer to.
    errors.unknown_keys("", document, {"form", "sections", "checks", "bases"})
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
    _parse_sections(document.get("sections"), spec, errors)
    _parse_checks(document.get("checks") or [], spec, errors)
    _check_graph(spec, errors)
    if errors:
        raise CatalogueInvalid(
            _("Каталог не завантажено: знайдено помилок — %(n)s.") % {"n": len(errors)},
            extra={"errors": list(errors)},
        )
    return spec


def _int(value: Any, errors: _Errors, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    errors.add(where, _("очікується додатне ціле число"))
    return 0


def _date(value: Any, errors: _Errors, where: str, required: bool) -> dt.date | None:
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


def _decimal(value: Any, errors: _Errors, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.add(where, _("очікується число, отримано «%(v)s»") % {"v": value})
        return None


def _parse_sections(sections: Any, spec: FormSpec, errors: _Errors) -> None:
    if not isinstance(sections, list) or not sections:
        errors.add("sections", _("потрібен непорожній список розділів"))
        return
    section_codes: set[str] = set()
    for number, raw in enumerate(sections, start=1):
        where = f"sections[{number}]"
        if not isinstance(raw, dict):
            errors.add(where, _("розділ має бути словником"))
            continue
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
        defaults = {
            "applies_to": raw.get("applies_to") or list(spec.reporting_kinds),
            "carry_over": bool(raw.get("carry_over", False)),
            "checklist": bool(raw.get("checklist", False)),
            "aggregation": raw.get("aggregation"),
            "type": raw.get("type"),
            "unit": raw.get("unit", ""),
            "change_warning": bool(raw.get("change_warning", False)),
        }
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
    raw: Any, section: str, defaults: dict, spec: FormSpec, errors: _Errors
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
    kind = raw.get("type", defaults["type"])
    if kind not in IndicatorType.values:
        errors.add(
            where,
            _("невідомий тип «%(type)s»; допустимі: %(types)s")
            % {"type": kind, "types": ", ".join(IndicatorType.values)},
        )
        return None
    numeric = kind in NUMERIC_TYPES
    # Section defaults for aggregation and unit are meant for its numbers, not its yes/no items.
    aggregation = raw.get("aggregation", defaults["aggregation"] if numeric else None)
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
    applies_to = raw.get("applies_to", defaults["applies_to"])
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
    choices = _choices(raw.get("choices"), kind, where, errors)
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
    decimals = raw.get("decimals", 0 if kind == IndicatorType.INTEGER else 1)
    if not isinstance(decimals, int) or not 0 <= decimals <= 4:
        errors.add(where, _("decimals — ціле число від 0 до 4"))
        decimals = 0
    prefill = str(raw.get("prefill") or "")
    if prefill and not PREFILL_RE.match(prefill):
        errors.add(where, _("prefill має вигляд джерело:факт, напр. registry:working_hours"))
    name = str(raw.get("name") or "")
    if not name:
        errors.add(where, _("назва обов'язкова"))
    if not raw.get("name_en"):
        errors.add(where, _("назва англійською (name_en) обов'язкова"))
    indicator = IndicatorSpec(
        code=code,
        section=section,
        name=name,
        name_en=str(raw.get("name_en") or ""),
        help=str(raw.get("help") or "").strip(),
        type=kind,
        unit=str(raw.get("unit", defaults["unit"] if numeric else "") or ""),
        choices=choices,
        applies_to=frozenset(applies_to),
        required=bool(raw.get("required", kind != IndicatorType.TEXT)),
        min_value=min_value,
        max_value=max_value,
        decimals=decimals,
        aggregation=aggregation,
        weight=str(raw.get("weight") or ""),
        checklist=bool(raw.get("checklist", defaults["checklist"])),
        carry_over=bool(raw.get("carry_over", defaults["carry_over"])),
        prefill=prefill,
        change_warning=bool(
            raw.get(
                "change_warning",
                defaults["change_warning"] or (numeric and aggregation == Aggregation.SUM),
            )
        ),
    )
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
    return indicator


def _choices(raw: Any, kind: str, where: str, errors: _Errors) -> tuple[Choice, ...]:
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


def _parse_checks(raw_checks: Any, spec: FormSpec, errors: _Errors) -> None:
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
    seen: set[str] = set()
    for check in spec.checks:
        where = _("перевірка %(id)s") % {"id": check.id}
        if check.id in seen:
            errors.add(where, _("ідентифікатор перевірки повторюється"))
        seen.add(check.id)
        if check.rule not in CHECK_RULES:
            errors.add(
                where,
                _("невідоме правило «%(rule)s»; допустимі: %(rules)s")
                % {"rule": check.rule, "rules": ", ".join(CHECK_RULES)},
            )
            continue
        if check.severity not in SEVERITIES:
            errors.add(where, _("рівень має бути error або warning"))
        needed = {
            "le": ("left", "right"),
            "parts_le_total": ("parts", "total"),
            "required_if": ("field", "when"),
        }[check.rule]
        for name in needed:
            if not getattr(check, name):
                errors.add(where, _("бракує поля %(name)s") % {"name": name})
        for code in check.codes:
            indicator = spec.indicators.get(code)
            if indicator is None:
                errors.add(where, _("посилається на невідомий показник %(code)s") % {"code": code})
            elif check.rule != "required_if" and not indicator.is_numeric:
                errors.add(where, _("показник %(code)s не числовий") % {"code": code})
        when = spec.indicators.get(check.when) if check.rule == "required_if" else None
        if when is not None and when.type != IndicatorType.BOOLEAN:
            errors.add(where, _("умова when має бути показником так/ні"))
    for indicator in spec.indicators.values():
        if indicator.weight:
            target = spec.indicators.get(indicator.weight)
            where = _("показник %(code)s") % {"code": indicator.code}
            if target is None:
                errors.add(
                    where,
                    _("вага посилається на невідомий показник %(c)s") % {"c": indicator.weight},
                )
            elif not target.is_numeric or indicator.aggregation != Aggregation.MEAN:
                errors.add(where, _("вага можлива лише для середнього за числовим показником"))


def _check_graph(spec: FormSpec, errors: _Errors) -> None:
    """ "Part ≤ whole" relations must form no cycle: A ≤ B ≤ A is a typo, not a rule."""
    edges: dict[str, set[str]] = {}
    for check in spec.checks:
        if check.rule == "le":
            edges.setdefault(check.left, set()).add(check.right)
        elif check.rule == "parts_le_total":
            for part in check.parts:
                edges.setdefault(part, set()).add(check.total)
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target] if target in path else [node, target]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    errors.add(
                        _("перевірки"),
                        _("цикл у співвідношеннях «не більше»: %(cycle)s")
                        % {"cycle": " ≤ ".join(cycle)},
                    )
            elif state.get(target) is None:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if state.get(node) is None:
            visit(node, [node])


# --- Storing and reading form versions ---------------------------------------------------------


@dataclass
class LoadResult:
    form: FormVersion
    created: bool
    superseded: FormVersion | None = None
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def form_load(*, content: bytes, file_name: str = "", actor=None) -> LoadResult:
    """Load a catalogue file as a new form version (or recognise it as already loaded)."""
    from yakist.statmon import prefill

    spec = catalogue_parse(content, file_name=file_name)
    existing = list(FormVersion.objects.select_for_update().filter(code=spec.code))
    same = next((form for form in existing if form.version == spec.version), None)
    if same is not None:
        if same.sha256 == spec.sha256:
            return LoadResult(form=same, created=False)
        raise CatalogueInvalid(
            _("Версію %(v)s форми %(code)s уже завантажено з іншим змістом.")
            % {"v": spec.version, "code": spec.code},
            extra={
                "errors": [
                    _(
                        "Завантажена версія не змінюється: збільште form.version і задайте "
                        "form.effective_from для нової версії."
                    )
                ]
            },
        )
    errors = _Errors()
    newest = max((form.version for form in existing), default=0)
    if spec.version < newest:
        errors.add(
            "form.version",
            _("версія %(v)s менша за останню завантажену (%(last)s)")
            % {"v": spec.version, "last": newest},
        )
    superseded = None
    for form in existing:
        if form.effective_to is None and form.effective_from < spec.effective_from:
            superseded = form
            continue
        ends = form.effective_to
        if form.effective_from >= spec.effective_from or (ends and ends >= spec.effective_from):
            errors.add(
                "form.effective_from",
                _("період дії перетинається з версією %(v)s (%(from)s — %(to)s)")
                % {
                    "v": form.version,
                    "from": form.effective_from.isoformat(),
                    "to": ends.isoformat() if ends else "…",
                },
            )
    if errors:
        raise CatalogueInvalid(
            _("Каталог не завантажено: знайдено помилок — %(n)s.") % {"n": len(errors)},
            extra={"errors": list(errors)},
        )
    if superseded is not None:
        # Supersession sets the end of the predecessor's period; its content never changes.
        superseded.effective_to = spec.effective_from - dt.timedelta(days=1)
        superseded.save(update_fields=["effective_to"])
    form = FormVersion.objects.create(
        code=spec.code,
        version=spec.version,
        title=spec.title,
        title_en=spec.title_en,
        effective_from=spec.effective_from,
        effective_to=spec.effective_to,
        reporting_kinds=list(spec.reporting_kinds),
        source=spec.source,
        bases=spec.bases,
        checks=[check.as_dict() for check in spec.checks],
        file_name=file_name[:200],
        sha256=spec.sha256,
        loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    sections = Section.objects.bulk_create(
        [
            Section(
                form=form,
                code=section.code,
                position=position,
                title=section.title,
                title_en=section.title_en,
                source=section.source,
                description=section.description,
            )
            for position, section in enumerate(spec.sections, start=1)
        ]
    )
    section_ids = {section.code: section.pk for section in sections}
    if any(pk is None for pk in section_ids.values()):
        section_ids = dict(form.sections.values_list("code", "pk"))
    Indicator.objects.bulk_create(
        [
            Indicator(
                form=form,
                section_id=section_ids[item.section],
                code=item.code,
                position=position,
                name=item.name,
                name_en=item.name_en,
                help=item.help,
                type=item.type,
                unit=item.unit,
                choices=[
                    {"value": c.value, "label": c.label, "label_en": c.label_en}
                    for c in item.choices
                ],
                applies_to=sorted(item.applies_to),
                required=item.required,
                min_value=item.min_value,
                max_value=item.max_value,
                decimals=item.decimals,
                aggregation=item.aggregation,
                weight=item.weight,
                checklist=item.checklist,
                carry_over=item.carry_over,
                prefill=item.prefill,
                change_warning=item.change_warning,
            )
            for position, item in enumerate(spec.indicators.values(), start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="statmon_form_load",
        obj=form,
        changes={
            "version": spec.version,
            "sha256": spec.sha256,
            "indicators": len(spec.indicators),
            "superseded": superseded.version if superseded else None,
        },
    )
    return LoadResult(
        form=form,
        created=True,
        superseded=superseded,
        warnings=prefill.unregistered(spec.indicators.values()),
    )


def form_spec(form: FormVersion) -> FormSpec:
    """The checked, immutable specification of a stored form version (cached per process)."""
    return _form_spec(form.pk, form.sha256)


@lru_cache(maxsize=16)
def _form_spec(form_id: int, sha256: str) -> FormSpec:
    # The cache key includes the content hash: a stored version never changes, and a row id
    # reused after a rolled-back transaction cannot bring back someone else's catalogue.
    form = FormVersion.objects.get(pk=form_id)
    sections = list(form.sections.order_by("position"))
    indicators = list(form.indicators.select_related("section").order_by("position"))
    codes_by_section: dict[int, list[str]] = {}
    specs: dict[str, IndicatorSpec] = {}
    for item in indicators:
        codes_by_section.setdefault(item.section_id, []).append(item.code)
        specs[item.code] = IndicatorSpec(
            code=item.code,
            section=item.section.code,
            name=item.name,
            name_en=item.name_en,
            help=item.help,
            type=item.type,
            unit=item.unit,
            choices=tuple(
                Choice(c["value"], c["label"], c.get("label_en", "")) for c in item.choices
            ),
            applies_to=frozenset(item.applies_to),
            required=item.required,
            min_value=item.min_value,
            max_value=item.max_value,
            decimals=item.decimals,
            aggregation=item.aggregation,
            weight=item.weight,
            checklist=item.checklist,
            carry_over=item.carry_over,
            prefill=item.prefill,
            change_warning=item.change_warning,
        )
    checks = [
        CheckSpec(
            id=c["id"],
            rule=c["rule"],
            severity=c.get("severity", "error"),
            message=c.get("message", ""),
            left=c.get("left", ""),
            right=c.get("right", ""),
            parts=tuple(c.get("parts", ())),
            total=c.get("total", ""),
            field=c.get("field", ""),
            when=c.get("when", ""),
            basis=c.get("basis") or dict(SHORTHAND_BASIS),
        )
        for c in form.checks
    ]
    return FormSpec(
        id=form.pk,
        code=form.code,
        version=form.version,
        title=form.title,
        title_en=form.title_en,
        effective_from=form.effective_from,
        effective_to=form.effective_to,
        reporting_kinds=tuple(form.reporting_kinds),
        source=form.source,
        sections=[
            SectionSpec(
                code=s.code,
                title=s.title,
                title_en=s.title_en,
                source=s.source,
                description=s.description,
                codes=tuple(codes_by_section.get(s.pk, ())),
            )
            for s in sections
        ],
        indicators=specs,
        checks=checks,
        sha256=form.sha256,
        file_name=form.file_name,
        bases=form.bases,
    )


def form_in_force(day: dt.date, *, code: str | None = None) -> FormVersion | None:
    """The form version whose effective period contains `day`."""
    queryset = FormVersion.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    if code:
        queryset = queryset.filter(code=code)
    return queryset.order_by("-version").first()
