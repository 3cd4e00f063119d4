"""`{% basis_badge basis %}`: a rule's basis as a badge with its source (works without JS and
in print: the source sits in a <details> and in a print-only line)."""

from django import template

from yakist.core import basis as bases

register = template.Library()


@register.inclusion_tag("core/_basis_badge.html")
def basis_badge(basis):
    basis = basis or {}
    return {
        "kind": basis.get("kind", ""),
        "label": bases.badge(basis),
        "source": bases.describe(basis),
    }
