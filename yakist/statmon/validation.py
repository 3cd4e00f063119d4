"""Reading entered values (web form, XLSX cell, JSON) and checking them against the form's rules.

Every message is in Ukrainian and names what to do. Entered text that is not a valid value is
never dropped: callers keep it as "invalid" next to the draft so the person sees it again.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from yakist.statmon.models import IndicatorType
from yakist.statmon.specs import FormSpec, IndicatorSpec

TEXT_MAX = 1000
YES = {"так", "т", "yes", "y", "true", "1", "+", "є", "да"}
NO = {"ні", "н", "no", "n", "false", "0", "-", "немає", "нет"}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


@dataclass(frozen=True)
class EntryError:
    """Why an entry is not a valid value: rule `type` or `range`, and a Ukrainian message."""

    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Finding:
    """One result of a check: where, which rule, how serious, what is wrong, what to do."""

    code: str
    rule: str
    severity: str
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def parse_text(spec: IndicatorSpec, raw: Any) -> tuple[Any, EntryError | None]:
    """(value, None) or (None, message) for text typed in a form or a spreadsheet cell.
    An empty entry is (None, None): the answer is not given yet."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raw = "так" if raw else "ні"
    if isinstance(raw, (int, float)) and spec.type in (
        IndicatorType.INTEGER,
        IndicatorType.DECIMAL,
        IndicatorType.PERCENT,
    ):
        return _number(spec, Decimal(str(raw)))
    text = str(raw).strip()
    if not text:
        return None, None
    if spec.type in (IndicatorType.INTEGER, IndicatorType.DECIMAL, IndicatorType.PERCENT):
        cleaned = _SPACES.sub("", text).replace(",", ".").rstrip("%")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            return None, _type_message(spec)
        if not number.is_finite():
            return None, _type_message(spec)
        return _number(spec, number)
    if spec.type == IndicatorType.BOOLEAN:
        lowered = text.lower()
        if lowered in YES:
            return True, None
        if lowered in NO:
            return False, None
        return None, _type_message(spec)
    if spec.type == IndicatorType.CHOICE:
        for choice in spec.choices:
            if text in (choice.value, choice.label) or text.lower() == choice.label.lower():
                return choice.value, None
        return None, _type_message(spec)
    if len(text) > TEXT_MAX:
        return None, EntryError(
            "range", _("Текст задовгий: не більше %(n)s символів.") % {"n": TEXT_MAX}
        )
    return text, None


def coerce_json(spec: IndicatorSpec, value: Any) -> tuple[Any, EntryError | None]:
    """Values sent through the API: JSON numbers, true/false, choice values or strings."""
    if value is None:
        return None, None
    if spec.type in (IndicatorType.INTEGER, IndicatorType.DECIMAL, IndicatorType.PERCENT):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, _type_message(spec)
        return _number(spec, Decimal(str(value)))
    if spec.type == IndicatorType.BOOLEAN:
        if not isinstance(value, bool):
            return None, _type_message(spec)
        return value, None
    if not isinstance(value, str):
        return None, _type_message(spec)
    if spec.type == IndicatorType.CHOICE:
        if value in {choice.value for choice in spec.choices}:
            return value, None
        return None, _type_message(spec)
    return parse_text(spec, value)


def _number(spec: IndicatorSpec, number: Decimal) -> tuple[Any, EntryError | None]:
    if spec.type == IndicatorType.INTEGER and number != number.to_integral_value():
        return None, _type_message(spec)
    if spec.min_value is not None and number < spec.min_value:
        if spec.min_value == 0:
            return None, EntryError("range", _("Значення не може бути від'ємним."))
        return None, EntryError(
            "range",
            _("Значення не може бути меншим за %(min)s.") % {"min": display_number(spec.min_value)},
        )
    if spec.max_value is not None and number > spec.max_value:
        if spec.type == IndicatorType.PERCENT and spec.max_value == 100:
            return None, EntryError("range", _("Відсоток не може перевищувати 100."))
        return None, EntryError(
            "range",
            _("Значення не може бути більшим за %(max)s.")
            % {"max": display_number(spec.max_value)},
        )
    if spec.type == IndicatorType.INTEGER or spec.decimals == 0:
        return int(number.to_integral_value(rounding=ROUND_HALF_UP)), None
    quantum = Decimal(1).scaleb(-spec.decimals)
    return float(number.quantize(quantum, rounding=ROUND_HALF_UP)), None


def _type_message(spec: IndicatorSpec) -> EntryError:
    return EntryError("type", _type_text(spec))


def _type_text(spec: IndicatorSpec) -> str:
    if spec.type == IndicatorType.INTEGER:
        return _("Введіть ціле число без літер і дробової частини, наприклад 12.")
    if spec.type == IndicatorType.DECIMAL:
        return _("Введіть число, наприклад 12,5.")
    if spec.type == IndicatorType.PERCENT:
        return _("Введіть відсоток числом від 0 до 100, наприклад 87,5.")
    if spec.type == IndicatorType.BOOLEAN:
        return _("Оберіть «Так» або «Ні».")
    if spec.type == IndicatorType.CHOICE:
        return _("Оберіть один з варіантів: %(options)s.") % {
            "options": "; ".join(choice.label for choice in spec.choices)
        }
    return _("Некоректне значення.")


def display_number(value: Any) -> str:
    """Numbers the Ukrainian way: 1 234,5."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool):
        return _("Так") if value else _("Ні")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", "\u202f").replace(".", ",")
    return str(value)


def display_value(spec: IndicatorSpec, value: Any) -> str:
    if value is None:
        return ""
    if spec.type == IndicatorType.BOOLEAN:
        return _("Так") if value else _("Ні")
    if spec.type == IndicatorType.CHOICE:
        return spec.choice_label(value)
    if spec.type == IndicatorType.TEXT:
        return str(value)
    return display_number(value)


def input_value(spec: IndicatorSpec, value: Any) -> str:
    """The text an input field shows for a stored value (what a person would type)."""
    if value is None:
        return ""
    if spec.type == IndicatorType.BOOLEAN:
        return "так" if value else "ні"
    if isinstance(value, float):
        return f"{value:.{spec.decimals}f}".replace(".", ",")
    return str(value)


def canonical(value: Any) -> str:
    """A comparable form of a stored value, for merges and change lists."""
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def check_values(form: FormSpec, kind: str, values: dict[str, Any]) -> list[Finding]:
    """Required answers and the catalogue's cross-field checks (types and ranges are checked
    when a value is read)."""
    findings: list[Finding] = []
    applicable = form.applicable_codes(kind)
    for code in sorted(applicable, key=list(form.indicators).index):
        spec = form.indicators[code]
        if spec.required and values.get(code) is None:
            findings.append(
                Finding(
                    code=code,
                    rule="required",
                    severity="error",
                    message=_("Обов'язкове поле: заповніть його."),
                    fix=_("Введіть значення; якщо явища не було — 0 або «Ні»."),
                )
            )
    for check in form.checks:
        if check.rule == "parts_le_total":
            # Parts a kind of centre does not report are simply absent from its sum.
            if check.total not in applicable:
                continue
        elif not set(check.codes) <= applicable:
            continue
        finding = _apply_check(form, check, values)
        if finding is not None:
            findings.append(finding)
    return findings


def _apply_check(form: FormSpec, check, values: dict[str, Any]) -> Finding | None:
    names = form.indicators
    if check.rule == "le":
        left, right = values.get(check.left), values.get(check.right)
        if left is None or right is None or left <= right:
            return None
        message = check.message or _(
            "«%(left)s» (%(lv)s) не може бути більшим, ніж «%(right)s» (%(rv)s)."
        ) % {
            "left": names[check.left].name,
            "lv": display_number(left),
            "right": names[check.right].name,
            "rv": display_number(right),
        }
        return Finding(
            code=check.left,
            rule=f"check:{check.id}",
            severity=check.severity,
            message=message,
            fix=_("Перевірте обидва значення: частина не може перевищувати ціле."),
        )
    if check.rule == "parts_le_total":
        total = values.get(check.total)
        parts = [values.get(code) for code in check.parts]
        present = [part for part in parts if part is not None]
        if total is None or not present or sum(present) <= total:
            return None
        message = check.message or _(
            "Сума складових (%(parts)s = %(sum)s) перевищує «%(total)s» (%(tv)s)."
        ) % {
            "parts": " + ".join(check.parts),
            "sum": display_number(sum(present)),
            "total": names[check.total].name,
            "tv": display_number(total),
        }
        return Finding(
            code=check.total,
            rule=f"check:{check.id}",
            severity=check.severity,
            message=message,
            fix=_("Складові не можуть разом перевищувати загальну кількість; виправте одне з них."),
        )
    required = check.rule == "required_if" and values.get(check.when) is True
    if required and values.get(check.field) is None:
        return Finding(
            code=check.field,
            rule=f"check:{check.id}",
            severity=check.severity,
            message=check.message
            or _("Обов'язково, якщо «%(when)s» — «Так».") % {"when": names[check.when].name},
            fix=_("Заповніть поле або змініть відповідь на пов'язане запитання."),
        )
    return None
