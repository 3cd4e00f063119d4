"""Server-rendered SVG choropleth of Ukraine's oblasts (no JavaScript, every region a link).

Geometry: @svg-maps/ukraine 2.0.0 (CC BY 4.0), vendored in static/yakist/vendor/svg-maps-ukraine
and keyed by KATOTTG region codes. Every map is accompanied by a table of the same values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GEOMETRY = (
    Path(__file__).parent / "static" / "yakist" / "vendor" / "svg-maps-ukraine" / "oblasts.json"
)
# Sequential blues, light to dark; each step keeps ≥ 3:1 contrast with its neighbour's label.
PALETTE = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#eeeeee"
ATTRIBUTION = gettext_lazy("Мапа: @svg-maps/ukraine, CC BY 4.0")


@cache
def geometry() -> dict:
    return json.loads(GEOMETRY.read_text(encoding="utf-8"))


def bins(values: list[float], steps: int = len(PALETTE)) -> list[float]:
    """Equal-count (quantile) thresholds so every colour is used even when values bunch up."""
    ordered = sorted(values)
    if not ordered:
        return []
    return [ordered[min(len(ordered) - 1, (len(ordered) * i) // steps)] for i in range(1, steps)]


def colour_for(value: float | None, thresholds: list[float], *, reverse: bool = False) -> str:
    if value is None:
        return NO_DATA
    index = sum(1 for threshold in thresholds if value >= threshold)
    if reverse:
        index = len(PALETTE) - 1 - index
    return PALETTE[min(index, len(PALETTE) - 1)]


def render_map(
    values: dict[str, float | None],
    *,
    title: str,
    names: dict[str, str],
    fmt: Callable[[float], str] = lambda v: f"{v:.1f}",
    href: Callable[[str], str | None] = lambda code: None,
    lower_is_better: bool = False,
) -> SafeString:
    """An accessible SVG: <title>/<desc>, one labelled link per region, a legend."""
    data = geometry()
    present = [v for v in values.values() if v is not None]
    thresholds = bins(present)
    parts = []
    for code, region in data["regions"].items():
        value = values.get(code)
        label = names.get(code, region["name_en"])
        shown = fmt(value) if value is not None else _("немає даних")
        fill = colour_for(value, thresholds, reverse=lower_is_better)
        shape = format_html(
            '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="1"><title>{}: {}</title></path>',
            region["path"],
            fill,
            label,
            shown,
        )
        link = href(code)
        if link:
            shape = format_html(
                '<a href="{}" aria-label="{}: {}">{}</a>', link, label, shown, shape
            )
        parts.append(shape)
    legend = _legend(thresholds, fmt, lower_is_better)
    description = _("Карта областей; ті самі значення наведено в таблиці.")
    svg = (
        f'<svg class="choropleth" viewBox="{data["viewBox"]}" role="group" '
        f'aria-labelledby="map-title map-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="map-title">{escape(title)}</title>'
        f'<desc id="map-desc">{escape(description)}</desc>'
        f"{''.join(parts)}{legend}"
        f'<text x="995" y="665" text-anchor="end" font-size="11" fill="#4a5365">'
        f"{escape(ATTRIBUTION)}</text></svg>"
    )
    return mark_safe(svg)  # noqa: S308  (every interpolated value above is escaped)


def _legend(thresholds: list[float], fmt, reverse: bool) -> str:
    if not thresholds:
        return ""
    edges = ["…", *[fmt(t) for t in thresholds]]
    items = []
    for index, colour in enumerate(PALETTE):
        label = f"≥ {edges[index]}" if index else f"< {edges[1]}"
        shade = PALETTE[len(PALETTE) - 1 - index] if reverse else colour
        y = 470 + index * 24
        items.append(_swatch(y, shade, label))
    items.append(_swatch(470 + len(PALETTE) * 24, NO_DATA, _("немає даних")))
    return "".join(items)


def _swatch(y: int, colour: str, label: str) -> str:
    return (
        f'<rect x="20" y="{y}" width="18" height="18" fill="{colour}" '
        f'stroke="#4a5365" stroke-width="0.5"/>'
        f'<text x="44" y="{y + 14}" font-size="14" fill="#1a1f2b">{escape(label)}</text>'
    )
