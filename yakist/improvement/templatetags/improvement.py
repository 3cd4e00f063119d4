"""Display helpers of the improvement pages."""

from django import template
from django.utils.translation import get_language

from yakist.portal.templatetags.portal import format_value

register = template.Library()


@register.filter
def change(value, unit: str = "share") -> str:
    """A change in percentage points (shares) or points (indices), with its sign."""
    return format_value(value, unit, signed=True)


@register.filter
def indicator_name(reading) -> str:
    return reading.name_en if get_language() == "en" else reading.name
