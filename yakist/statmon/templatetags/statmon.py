"""Template helpers for static-monitoring pages."""

from django import template

from yakist.statmon.models import Aggregation
from yakist.statmon.validation import display_number

register = template.Library()


@register.filter
def dom_id(code: str) -> str:
    """The id of an indicator's input on the report form."""
    return "f-" + str(code).replace(".", "-")


@register.filter
def number(value) -> str:
    """A number the Ukrainian way (1 234,5); an em dash when there is none."""
    if value is None or value == "":
        return "—"
    return display_number(value)


@register.filter
def aggregation_label(value: str) -> str:
    return str(Aggregation(value).label) if value in Aggregation.values else value


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + display_number(value)
