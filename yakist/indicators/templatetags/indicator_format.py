"""Showing indicator values the same way everywhere: unit, decimal comma, interval, status."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def format_number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


NBSP = "\u00a0"  # "87,3 %" never breaks between the number and its sign


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{format_number(100 * value)}{NBSP}%"
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
def share_percent(value, unit: str = "share") -> float:
    """A 0–100 width for CSS bars: a share × 100, the loyalty index (x + 100) / 2."""
    if value is None:
        return 0
    return max(0.0, min(100.0, (value + 100) / 2 if unit == "index" else 100 * value))


@register.filter
def indicator_details(result) -> str:
    """The counts behind a value: levels, promoters, medians, reports, connected centres."""
    extra = getattr(result, "extra", None) or {}
    parts = []
    if "median_ratio" in extra:
        parts.append(
            _("медіана %(m)s строку, P90 %(p)s строку")
            % {
                "m": format_number(extra["median_ratio"], 2),
                "p": format_number(extra["p90_ratio"], 2),
            }
        )
    if "levels" in extra:
        levels = " · ".join(
            f"{level}:{NBSP}{count}" for level, count in sorted(extra["levels"].items())
        )
        parts.append(_("за рівнями 1–4: %(l)s") % {"l": levels})
    if extra.get("mean") is not None:
        parts.append(_("середнє %(m)s") % {"m": format_number(extra["mean"], 2)})
    if "promoters" in extra:
        parts.append(
            _("9–10: %(p)s · 7–8: %(n)s · 0–6: %(d)s")
            % {"p": extra["promoters"], "n": extra.get("passives", 0), "d": extra["detractors"]}
        )
    if "reports" in extra:
        parts.append(_("звітів: %(n)s") % {"n": extra["reports"]})
    if "centres" in extra:
        parts.append(
            _("центрів %(c)s, підключено %(k)s, зі звітом %(r)s, без жодної справи %(s)s")
            % {
                "c": extra["centres"],
                "k": extra.get("connected", 0),
                "r": extra.get("with_report", 0),
                "s": extra.get("silent", 0),
            }
        )
    return "; ".join(parts)


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
    return format_value(value, unit).replace(f",0{NBSP}%", f"{NBSP}%").replace(",0", "")
