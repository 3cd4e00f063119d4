"""The checked indicator catalogue as plain values: a form version, its sections, indicators and
consistency checks.

Parsing a catalogue file (catalogue_parse.py) and reading a stored version (catalogue.py) both
end here, so everything downstream — validation, QA, the report page, the XLSX template, the
roll-ups — works on one immutable shape whatever it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from yakist.core import basis as bases
from yakist.statmon.models import NUMERIC_TYPES

# A consistency check written as a shorthand on a field (le, required_if) is a model rule.
SHORTHAND_BASIS = {
    "kind": "model",
    "rationale": "Арифметична або логічна узгодженість полів звіту; захищає від помилок введення.",
    "replace_with": "правила контролю офіційної форми Мінцифри, коли її буде звірено",
}


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
