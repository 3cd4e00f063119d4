"""Formatting published figures: shares as percentages, indices as numbers, and statuses
in words ("not reported" is never a zero)."""

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

STATUS_TEXT = {
    "insufficient": gettext_lazy("недостатньо даних для висновку"),
    "no_data": gettext_lazy("немає даних"),
    "not_reported": gettext_lazy("дані не подано"),
    "not_connected": gettext_lazy("не підключено до моніторингу"),
    "suppressed": gettext_lazy("приховано (захист малих значень)"),
}


def format_value(value, unit: str, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    if unit == "share":
        return f"{number_format(value * 100, decimal_pos=1)} %"
    text = number_format(value, decimal_pos=1)
    return f"+{text}" if signed and value > 0 else text


@register.filter
def figure(entry: dict) -> str:
    """The value of a published entry, or why there is none."""
    if not entry:
        return _("немає даних")
    status = entry.get("status")
    if status in STATUS_TEXT:
        return str(STATUS_TEXT[status])
    return format_value(entry.get("value"), entry.get("unit", "share"))


@register.filter
def period_name(period) -> str:
    """A Period in the page's language."""
    return period.label


@register.filter
def fmt(value, unit: str = "share") -> str:
    return format_value(value, unit)


@register.filter
def percent(value) -> str:
    return format_value(value, "share")


@register.filter
def bar_width(value, unit: str = "share") -> int:
    """Width in % of a CSS bar: shares 0–1, indices −100…100."""
    if value is None:
        return 0
    if unit == "index":
        return max(0, min(100, round((value + 100) / 2)))
    return max(0, min(100, round(value * 100)))


@register.filter
def status_class(status: str) -> str:
    return {"ok": "ok", "insufficient": "warn", "suppressed": "neutral"}.get(status, "bad")


@register.simple_tag(takes_context=True)
def lang_url(context, language: str) -> str:
    """The same public page in another language: the language is the URL prefix, or for the
    feedback pages (outside the prefix) the `lang` parameter."""
    from yakist.portal.middleware import public_kind

    request = context["request"]
    path = request.path
    if public_kind(path) == "feedback":
        return path if language == settings.LANGUAGE_CODE else f"{path}?lang={language}"
    if path.startswith("/en/") or path == "/en":
        path = path[3:] or "/"
    return path if language == "uk" else f"/en{path}"


@register.simple_tag
def lang_query() -> str:
    """`?lang=…` for links from a page to the feedback pages, so they keep its language."""
    language = get_language()
    return "" if language == settings.LANGUAGE_CODE else f"?lang={language}"
