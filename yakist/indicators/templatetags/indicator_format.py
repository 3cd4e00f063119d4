"""Showing indicator values the same way everywhere: unit, decimal comma, interval, status."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def format_number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{format_number(100 * value)} %"
    if unit == "index":
        return f"{'+' if value > 0 else ''}{format_number(value)}"
    return format_number(value, 2)


@register.filter
def indicator_value(result, unit: str | None = None) -> str:
    """'87,3 %' for a share, '+45,0' for the loyalty index; words for missing data."""
    if result is None:
        return _("немає даних")
    unit = unit or result.definition.unit
    if result.status == "insufficient":
        return _("недостатньо даних")
    if result.status == "no_data":
        if result.extra.get("reason") == "not_connected":
            return _("не підключено")
        return _("немає даних")
    return format_value(result.value, unit)


@register.filter
def indicator_interval(result, unit: str | None = None) -> str:
    if result is None or result.ci_low is None or result.ci_high is None:
        return ""
    unit = unit or result.definition.unit
    return f"{format_value(result.ci_low, unit)} – {format_value(result.ci_high, unit)}"


@register.filter
def share_percent(value) -> float:
    """A 0–100 width for CSS bars from a share or an index."""
    if value is None:
        return 0
    return max(0.0, min(100.0, 100 * value if -1 <= value <= 1 else (value + 100) / 2))


@register.filter
def number(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_number(float(value), int(digits))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def share_label(value: float, unit: str) -> str:
    """A bin edge: 80 % for shares, +40 for the index."""
    return format_value(value, unit).replace(",0 %", " %").replace(",0", "")
