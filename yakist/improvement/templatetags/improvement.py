"""Display helpers of the improvement pages."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def change(value, unit: str = "share") -> str:
    """A change in percentage points (shares) or points (indices), with its sign."""
    if value is None:
        return "—"
    points = 100 * value if unit == "share" else value
    sign = "+" if points > 0 else "−" if points < 0 else ""
    text = number_format(abs(points), 1)
    if unit != "share":
        return f"{sign}{text}"
    points_label = _("п. п.")
    return f"{sign}{text} {points_label}"


@register.filter
def indicator_name(reading) -> str:
    return reading.name_en if get_language() == "en" else reading.name
