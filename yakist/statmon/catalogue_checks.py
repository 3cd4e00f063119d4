"""The consistency checks of a parsed catalogue: every check (written in `checks:` or as a
shorthand on an indicator) names a known rule and existing indicators of the right type,
weights point at numbers, and "part ≤ whole" relations form no cycle.

They look at the whole form at once, so they run after catalogue_parse has read every section.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yakist.statmon.models import Aggregation, IndicatorType
from yakist.statmon.specs import FormSpec

CHECK_RULES = ("le", "parts_le_total", "required_if")
SEVERITIES = ("error", "warning")


class Problems(list):
    """Messages, each with its place in the catalogue."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}" if where else message)


def catalogue_problems(spec: FormSpec) -> Problems:
    """Everything wrong with how the form's checks and weights refer to its indicators."""
    errors = Problems()
    _check_checks(spec, errors)
    _check_weights(spec, errors)
    _check_graph(spec, errors)
    return errors


def _check_checks(spec: FormSpec, errors: Problems) -> None:
    """Every check (written in `checks:` or as a shorthand) names a known rule and indicators."""
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


def _check_weights(spec: FormSpec, errors: Problems) -> None:
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


def _check_graph(spec: FormSpec, errors: Problems) -> None:
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
