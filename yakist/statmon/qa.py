"""Graded data-quality checks run before a report is submitted: errors block, warnings need an
explanation. The catalogue of rules (after Canada's service-data QA rules) is shown to staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.statmon.prefill import Suggestion
from yakist.statmon.specs import FormSpec
from yakist.statmon.validation import (
    EntryError,
    Finding,
    canonical,
    check_values,
    display_value,
)

# Below this size a jump (e.g. 2 → 7) is noise, not a data-quality signal.
CHANGE_FLOOR = 10


@dataclass(frozen=True)
class QaRule:
    id: str
    severity: str
    title: Any
    fix: Any


QA_RULES = [
    QaRule(
        "type",
        "error",
        gettext_lazy("Значення не відповідає типу показника (текст у числовому полі тощо)"),
        gettext_lazy("Введіть значення потрібного типу; підказка біля поля показує приклад."),
    ),
    QaRule(
        "range",
        "error",
        gettext_lazy("Значення поза допустимими межами (від'ємне, відсоток понад 100)"),
        gettext_lazy("Виправте значення відповідно до меж, зазначених біля поля."),
    ),
    QaRule(
        "required",
        "error",
        gettext_lazy("Обов'язковий показник не заповнено"),
        gettext_lazy("Введіть значення; якщо явища не було — 0 або «Ні»."),
    ),
    QaRule(
        "check",
        "error",
        gettext_lazy("Порушено міжпольове правило каталогу («частини ≤ ціле» тощо)"),
        gettext_lazy("Перевірте пов'язані показники; частина не може перевищувати ціле."),
    ),
    QaRule(
        "change",
        "warning",
        gettext_lazy(
            "Значення змінилося щонайменше втричі порівняно з прийнятим минулого кварталу"
        ),
        gettext_lazy("Перевірте значення; якщо воно правильне — поясніть причину в коментарі."),
    ),
    QaRule(
        "source",
        "warning",
        gettext_lazy("Значення відрізняється від відомого Якості джерела (реєстр центрів тощо)"),
        gettext_lazy("Виправте значення або поясніть розбіжність; за потреби оновіть реєстр."),
    ),
]


def report_findings(
    form: FormSpec,
    kind: str,
    values: dict[str, Any],
    *,
    invalid: dict[str, str] | None = None,
    invalid_errors: dict[str, EntryError] | None = None,
    previous: dict[str, Any] | None = None,
    suggestions: dict[str, Suggestion] | None = None,
) -> list[Finding]:
    """Every finding for a report's values, errors first, in the form's order."""
    fixes = {rule.id: str(rule.fix) for rule in QA_RULES}
    findings = _invalid_findings(invalid or {}, invalid_errors or {}, fixes)
    invalid_codes = set(invalid or {})
    findings.extend(
        f
        for f in check_values(form, kind, values)
        if not (f.rule == "required" and f.code in invalid_codes)
    )
    applicable = form.applicable_codes(kind)
    findings.extend(_change_findings(form, applicable, values, previous or {}, fixes["change"]))
    findings.extend(_source_findings(form, applicable, values, suggestions or {}, fixes["source"]))
    order = {code: index for index, code in enumerate(form.indicators)}
    findings.sort(key=lambda f: (not f.is_error, order.get(f.code, len(order))))
    return findings


def _invalid_findings(
    invalid: dict[str, str], invalid_errors: dict[str, EntryError], fixes: dict[str, str]
) -> list[Finding]:
    """Values kept as typed because they did not parse: each is an error of its own rule."""
    findings = []
    for code in invalid:
        error = invalid_errors.get(code) or EntryError("type", _("Некоректне значення."))
        findings.append(
            Finding(
                code=code,
                rule=error.rule,
                severity="error",
                message=error.message,
                fix=fixes[error.rule],
            )
        )
    return findings


def _change_findings(
    form: FormSpec,
    applicable: set[str],
    values: dict[str, Any],
    previous: dict[str, Any],
    fix: str,
) -> list[Finding]:
    """A number that changed at least `STATMON_CHANGE_FACTOR` times since last quarter."""
    findings = []
    factor = settings.STATMON_CHANGE_FACTOR
    for code, before in previous.items():
        spec = form.indicators.get(code)
        now = values.get(code)
        if spec is None or code not in applicable or not spec.change_warning:
            continue
        if not spec.is_numeric or now is None or before is None:
            continue
        if max(now, before) < CHANGE_FLOOR:
            continue
        if now >= before * factor or now * factor <= before:
            findings.append(
                Finding(
                    code=code,
                    rule="change",
                    severity="warning",
                    message=_(
                        "Значення змінилося більш ніж у %(f)s раз(и): минулого кварталу — %(b)s, "
                        "тепер — %(n)s."
                    )
                    % {
                        "f": factor,
                        "b": display_value(spec, before),
                        "n": display_value(spec, now),
                    },
                    fix=fix,
                )
            )
    return findings


def _source_findings(
    form: FormSpec,
    applicable: set[str],
    values: dict[str, Any],
    suggestions: dict[str, Suggestion],
    fix: str,
) -> list[Finding]:
    """A value that differs from what a known source (the registry…) says."""
    findings = []
    for code, suggestion in suggestions.items():
        spec = form.indicators.get(code)
        now = values.get(code)
        if spec is None or code not in applicable or now is None:
            continue
        if canonical(now) != canonical(suggestion.value):
            findings.append(
                Finding(
                    code=code,
                    rule="source",
                    severity="warning",
                    message=_("За даними джерела «%(source)s» — %(known)s, у звіті — %(now)s.")
                    % {
                        "source": suggestion.label,
                        "known": display_value(spec, suggestion.value),
                        "now": display_value(spec, now),
                    },
                    fix=fix,
                )
            )
    return findings


def unexplained_warnings(findings: list[Finding], comments: dict[str, str]) -> list[Finding]:
    return [f for f in findings if not f.is_error and not (comments.get(f.code) or "").strip()]
