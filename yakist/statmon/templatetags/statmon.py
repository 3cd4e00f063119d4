"""Template helpers for static-monitoring pages."""

from django import template
from django.utils.translation import gettext_lazy

from yakist.registry.models.reference import Centre
from yakist.statmon.models import Aggregation, IndicatorType
from yakist.statmon.validation import display_number

register = template.Library()

SEVERITY_LABELS = {"error": gettext_lazy("помилка"), "warning": gettext_lazy("попередження")}


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


@register.filter
def type_label(value: str) -> str:
    """An indicator type in words: «ціле число», «так / ні»…"""
    return str(IndicatorType(value).label) if value in IndicatorType.values else value


@register.filter
def kinds_label(kinds, every=None) -> str:
    """Centre kinds in the registry's order and words («ЦНАП, Віддалене робоче місце»);
    «усі» when they are all of `every` (the kinds that report on the form)."""
    wanted = set(kinds or ())
    if every and wanted >= set(every):
        return str(gettext_lazy("усі"))
    return ", ".join(str(label) for key, label in Centre.Kind.choices if key in wanted)


@register.filter
def severity_label(value: str) -> str:
    return str(SEVERITY_LABELS.get(value, value))
