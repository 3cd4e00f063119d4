"""Staff analytics: nation → oblast → hromada → centre → service, over time and among peers,
with the rating and its explanation. Every chart has its table; every table downloads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yakist.accounts.scope import Scope, scope_of
from yakist.cases import selectors as cases_selectors
from yakist.core.choropleth import render_map
from yakist.indicators import rating, selectors
from yakist.indicators.enums import SubjectType
from yakist.indicators.rating import peer_group_label, peer_group_order
from yakist.indicators.tables import table_download
from yakist.indicators.templatetags.indicator_format import (
    format_value,
    indicator_details,
    indicator_value,
)
from yakist.registry import selectors as registry
from yakist.registry.models.reference import Centre, Organisation, Territory

DEFAULT_INDICATOR = "timeliness"


def _staff(request: HttpRequest) -> Scope:
    """Analytics is for staff roles; a login without a role sees nothing of it."""
    scope = scope_of(request.user)
    if not scope.is_staff:
        raise PermissionDenied
    return scope


def _released_periods() -> set[str]:
    return import_string(settings.ANALYTICS_RELEASED_PERIODS)()


def _choice(request: HttpRequest, scope: Scope | None = None) -> tuple[str, str | None, list[str]]:
    """The chosen indicator and period. Pages that compare subjects across the country (the
    overview, the ratings) pass the viewer's scope: outside the national roles they offer only
    periods whose national report is published, since an unpublished ranking is working data
    of the ministry, not yet the state's word."""
    periods = selectors.periods_with_results()
    if scope is not None and not scope.is_national:
        released = _released_periods()
        periods = [p for p in periods if p in released]
    period = request.GET.get("period") or (periods[0] if periods else None)
    if period not in periods:
        period = periods[0] if periods else None
    indicator = request.GET.get("indicator") or DEFAULT_INDICATOR
    return indicator, period, periods


def _definitions(period: str | None):
    if period is None:
        return []
    from yakist.core.periods import Period

    return list(selectors.definitions_in_force(Period.parse(period).first_day))


def _definition(indicator: str, definitions: list):
    """The chosen indicator's definition; an unknown code falls back to the default one."""
    by_code = {d.code: d for d in definitions}
    return by_code.get(indicator) or by_code.get(DEFAULT_INDICATOR) or next(iter(definitions), None)


def _may_see_region(scope: Scope, region_code: str | None) -> bool:
    """National roles see every oblast; a coordinator only its own (only a coordinator's scope
    carries a region: `scope_of`)."""
    return scope.is_national or (bool(scope.region_code) and scope.region_code == region_code)


def _visible_centre_codes(scope: Scope) -> set[str]:
    return set(selectors.centre_keys_for(scope))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    indicator, period, periods = _choice(request, scope)
    definitions = _definitions(period)
    definition = _definition(indicator, definitions)
    if period is None or definition is None:
        return render(request, "indicators/overview.html", {"periods": periods, "empty": True})
    indicator = definition.code
    national = {
        r.indicator_code: r for r in selectors.current_results(subject_type="nation", period=period)
    }
    # Only the oblasts the viewer may analyse: all for national roles, its own for a coordinator.
    regions = [
        region
        for region in registry.regions().exclude(occupied=True)
        if _may_see_region(scope, region.code)
    ]
    by_region = selectors.results_by_key(
        indicator_code=indicator,
        subject_type="region",
        period=period,
        keys=[region.code for region in regions],
    )
    rows = [(region, by_region.get(region.code)) for region in regions]
    rows.sort(key=lambda pair: -(pair[1].value if pair[1] and pair[1].value is not None else -1e9))
    if request.GET.get("format") in ("csv", "xlsx"):
        return _regions_download(f"{indicator}-{period}-regions", request.GET["format"], rows)
    return render(
        request,
        "indicators/overview.html",
        {
            "indicator": indicator,
            "definition": definition,
            "definitions": definitions,
            "period": period,
            "periods": periods,
            "national": national,
            "rows": rows,
            "map": _regions_map(scope, definition, period, regions, by_region),
            "linked_regions": {r.code for r in regions},
            "scope": scope,
            **_centre_spread(scope, definition, period),
        },
    )


def _regions_download(title: str, fmt: str, rows: list[tuple]) -> HttpResponse:
    return table_download(
        title=title,
        fmt=fmt,
        columns=[
            _("Код регіону"),
            _("Регіон"),
            _("Значення"),
            _("Чисельник"),
            _("Знаменник"),
            "n",
            _("Стан"),
        ],
        rows=[
            [
                r.code,
                r.display_name,
                res.value if res else None,
                res.numerator if res else None,
                res.denominator if res else None,
                res.n if res else 0,
                res.status if res else "no_data",
            ]
            for r, res in rows
        ],
    )


def _regions_map(scope: Scope, definition, period: str, regions: list, by_region: dict) -> str:
    """The oblast map of one indicator; only the oblasts the viewer may open link onwards."""
    indicator = definition.code
    return render_map(
        {code: (r.value if r.status == "ok" else None) for code, r in by_region.items()},
        title=f"{definition.name_en if get_language() == 'en' else definition.name}, {period}",
        names={r.code: r.display_name for r in regions},
        fmt=lambda v: format_value(v, definition.unit),
        href=lambda code: (
            f"/analytics/region/{code}/?indicator={indicator}&period={period}"
            if _may_see_region(scope, code)
            else None
        ),
        lower_is_better=definition.direction == "lower_better",
    )


def _centre_spread(scope: Scope, definition, period: str) -> dict:
    """The histogram of the centres' figures the viewer may see, and how many are usable."""
    centre_results = selectors.results_by_key(
        indicator_code=definition.code,
        subject_type="centre",
        period=period,
        keys=None if scope.is_national else list(_visible_centre_codes(scope)),
    )
    values = [r.value for r in centre_results.values() if r.status == "ok"]
    low, high = (-100.0, 100.0) if definition.unit == "index" else (0.0, 1.0)
    return {
        "histogram": selectors.histogram(values, low=low, high=high),
        "centres_ok": len(values),
        "centres_total": len(centre_results),
    }


# Lazy: the module is imported once, the download is in the language of each request.
CENTRE_COLUMNS = (
    gettext_lazy("Код центру"),
    gettext_lazy("Центр"),
    gettext_lazy("Громада"),
    gettext_lazy("Значення"),
    gettext_lazy("Нижня межа 95 %"),
    gettext_lazy("Верхня межа 95 %"),
    gettext_lazy("Чисельник"),
    gettext_lazy("Знаменник"),
    "n",
    gettext_lazy("Стан"),
)


def _centre_rows(indicator: str, period: str, centres: list[Centre]) -> list[tuple]:
    """(centre, its result, its hromada's result), best first; no data last."""
    results = selectors.results_by_key(
        indicator_code=indicator,
        subject_type="centre",
        period=period,
        keys=[c.code for c in centres],
    )
    hromadas = selectors.results_by_key(
        indicator_code=indicator,
        subject_type="hromada",
        period=period,
        keys=[c.hromada_id for c in centres if c.hromada_id],
    )
    rows = [(c, results.get(c.code), hromadas.get(c.hromada_id)) for c in centres]
    rows.sort(key=lambda row: -(row[1].value if row[1] and row[1].value is not None else -1e9))
    return rows


def _centre_download(title: str, fmt: str, rows: list[tuple]) -> HttpResponse:
    return table_download(
        title=title,
        fmt=fmt,
        columns=[str(column) for column in CENTRE_COLUMNS],
        rows=[
            [
                c.code,
                c.name,
                c.hromada.display_name if c.hromada else "",
                *(
                    (r.value, r.ci_low, r.ci_high, r.numerator, r.denominator, r.n, r.status)
                    if r
                    else (None, None, None, None, None, 0, "no_data")
                ),
            ]
            for c, r, _h in rows
        ],
    )


def _area_choice(request: HttpRequest):
    """(indicator, definition, period, periods, definitions) of a drill-down page, or 404."""
    indicator, period, periods = _choice(request)
    definitions = _definitions(period)
    definition = _definition(indicator, definitions)
    if period is None or definition is None:
        raise Http404
    return definition.code, definition, period, periods, definitions


def _area_page(
    request: HttpRequest, *, scope: Scope, subject_type: str, territory, filters: dict
) -> HttpResponse:
    """An oblast's or a hromada's page: its own figure over time and its centres' figures."""
    code = territory.code
    indicator, definition, period, periods, definitions = _area_choice(request)
    centres = list(registry.centres_for(scope, kind="centre", **filters).select_related("hromada"))
    rows = _centre_rows(indicator, period, centres)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _centre_download(f"{indicator}-{period}-{code}", request.GET["format"], rows)
    return render(
        request,
        f"indicators/{subject_type}.html",
        {
            "territory": territory,
            "indicator": indicator,
            "definition": definition,
            "definitions": definitions,
            "period": period,
            "periods": periods,
            "rows": rows,
            "area_result": selectors.current_results(
                subject_type=subject_type, subject_key=code, period=period, indicator_code=indicator
            ).first(),
            "series": selectors.result_series(
                indicator_code=indicator, subject_type=subject_type, subject_key=code, like=period
            ),
        },
    )


@login_required
def region(request: HttpRequest, code: str) -> HttpResponse:
    scope = _staff(request)
    territory = Territory.objects.filter(code=code, category__in=Territory.TOP_LEVEL).first()
    if territory is None or not _may_see_region(scope, code):
        raise Http404
    return _area_page(
        request, scope=scope, subject_type="region", territory=territory, filters={"region": code}
    )


@login_required
def hromada(request: HttpRequest, code: str) -> HttpResponse:
    """A hromada: its own figure over time and its centres; seen by whoever sees its oblast."""
    scope = _staff(request)
    territory = (
        Territory.objects.select_related("region")
        .filter(code=code, category=Territory.Category.HROMADA)
        .first()
    )
    if territory is None or not _may_see_region(scope, territory.region_id):
        raise Http404
    return _area_page(
        request, scope=scope, subject_type="hromada", territory=territory, filters={"hromada": code}
    )


@login_required
def centre(request: HttpRequest, code: str) -> HttpResponse:
    scope = _staff(request)
    subject = (
        Centre.objects.select_related("region", "hromada", "territory").filter(code=code).first()
    )
    if subject is None or code not in _visible_centre_codes(scope):
        raise Http404
    _indicator, period, periods = _choice(request)
    results = list(
        selectors.current_results(subject_type="centre", subject_key=code, breakdown=None)
    )
    table: dict[str, dict[str, object]] = {}
    for result in results:
        if result.breakdown == "":
            table.setdefault(result.indicator_code, {})[result.period] = result
    shown_periods = sorted({r.period for r in results}, key=lambda p: (p[:4], p[4:] or "Q9"))
    channels = [r for r in results if r.period == period and r.breakdown.startswith("channel:")]
    details = sorted(
        (r for r in results if r.period == period and r.breakdown == ""),
        key=lambda r: r.indicator_code,
    )
    return render(
        request,
        "indicators/centre.html",
        {
            "centre": subject,
            "period": period,
            "periods": periods,
            "definitions": {d.code: d for d in _definitions(period)},
            "table": table,
            "shown_periods": shown_periods,
            "channels": channels,
            "details": details,
            "services": cases_selectors.centre_service_slices(centre_code=code, period=period)
            if period
            else [],
            "rating": selectors.rating_of(subject_type="centre", subject_key=code, period=period)
            if period
            else None,
            "may_see_region": _may_see_region(scope, subject.region_id),
        },
    )


@login_required
def ratings(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    subject_type = request.GET.get("type") or SubjectType.CENTRE
    if subject_type not in (SubjectType.CENTRE, SubjectType.PROVIDER):
        raise Http404
    _indicator, period, periods = _choice(request, scope)
    entries = list(selectors.ratings(subject_type=subject_type, period=period or ""))
    if not scope.is_national:
        # A coordinator's visible centres and providers are its oblast's; a centre's staff see
        # their centre, a provider's officers their provider.
        visible = (
            _visible_centre_codes(scope)
            if subject_type == SubjectType.CENTRE
            else set(selectors.provider_keys_for(scope))
        )
        entries = [e for e in entries if e.subject_key in visible]
    names = _names(subject_type, [e.subject_key for e in entries])
    groups: dict[str, list] = {}
    for entry in entries:
        groups.setdefault(entry.peer_group, []).append(
            (entry, names.get(entry.subject_key, entry.subject_key))
        )
    if request.GET.get("format") in ("csv", "xlsx"):
        return table_download(
            title=f"rating-{subject_type}-{period}",
            fmt=request.GET["format"],
            columns=[
                _("Група"),
                _("Код"),
                _("Назва"),
                _("Місце"),
                _("З"),
                _("Найкраще правдоподібне місце"),
                _("Найгірше правдоподібне місце"),
                _("Бал"),
                _("Нижня межа"),
                _("Верхня межа"),
                _("Зміна місця"),
                _("Стан"),
            ],
            rows=[
                [
                    e.peer_group,
                    e.subject_key,
                    name,
                    e.rank,
                    e.rank_of,
                    e.rank_low,
                    e.rank_high,
                    e.score,
                    e.score_low,
                    e.score_high,
                    e.movement,
                    e.status,
                ]
                for items in groups.values()
                for e, name in items
            ],
        )
    return render(
        request,
        "indicators/ratings.html",
        {
            "groups": [
                (
                    group,
                    _group_label(group),
                    groups[group],
                    rating.indistinguishable([e for e, _name in groups[group]]),
                )
                for group in sorted(groups, key=peer_group_order)
            ],
            "subject_type": subject_type,
            "period": period,
            "periods": periods,
        },
    )


PROVIDER_GROUP = "provider-"


def _group_label(group: str) -> str:
    """A population band, or for providers the central body whose units are compared."""
    if group.startswith(PROVIDER_GROUP):
        code = group.removeprefix(PROVIDER_GROUP)
        name = Organisation.objects.filter(code=code).values_list("name", flat=True).first()
        return _("Територіальні органи: %(n)s") % {"n": name or code}
    return peer_group_label(group)


def _centre_region(code: str) -> str | None:
    return Centre.objects.filter(code=code).values_list("region_id", flat=True).first()


def _names(subject_type: str, keys: list[str]) -> dict[str, str]:
    model = Centre if subject_type == SubjectType.CENTRE else Organisation
    return dict(model.objects.filter(code__in=keys).values_list("code", "name"))


@login_required
def rating_explain(request: HttpRequest, subject_type: str, code: str, period: str) -> HttpResponse:
    scope = _staff(request)
    if not _may_see_rating(scope, subject_type, code):
        raise Http404
    revision = request.GET.get("revision")
    entry = selectors.rating_of(
        subject_type=subject_type,
        subject_key=code,
        period=period,
        revision=int(revision) if revision and revision.isdigit() else None,
    )
    if entry is None:
        raise Http404
    definitions = {d.code: d for d in entry.methodology.definitions.all()}
    components = [
        {
            **c,
            "definition": definitions.get(c["indicator"]),
            "shown": indicator_value(_Shown(c, definitions.get(c["indicator"]))),
            "interval": _interval(c, definitions.get(c["indicator"])),
            "details": indicator_details(_Shown(c, definitions.get(c["indicator"]))),
        }
        for c in entry.components
    ]
    movers = [
        {
            **m,
            "name": (getattr(definitions.get(m["indicator"]), "name", "") if definitions else "")
            or m["indicator"],
        }
        for m in entry.movers or []
    ]
    return render(
        request,
        "indicators/rating_explain.html",
        {
            "entry": entry,
            "components": components,
            "movers": movers,
            "name": _names(subject_type, [code]).get(code, code),
            "group_label": _group_label(entry.peer_group),
            "revisions": selectors.rating_revisions(
                subject_type=subject_type, subject_key=code, period=period
            ),
            "centre_page": subject_type == SubjectType.CENTRE
            and code in _visible_centre_codes(scope),
        },
    )


def _interval(component: dict, definition) -> str:
    low, high = component.get("low"), component.get("high")
    if low is None or high is None or definition is None:
        return ""
    return f"{format_value(low, definition.unit)} – {format_value(high, definition.unit)}"


def _may_see_rating(scope: Scope, subject_type: str, code: str) -> bool:
    """A centre's rating: its staff and its region's; a provider's: its staff; all: national."""
    if scope.is_national:
        return True
    if subject_type == SubjectType.CENTRE:
        return code in _visible_centre_codes(scope) or _may_see_region(scope, _centre_region(code))
    return code in set(selectors.provider_keys_for(scope))


class _Shown:
    """Lets a stored rating component be formatted like a result."""

    def __init__(self, component: dict, definition) -> None:
        self.value = component["value"]
        self.status = component["status"]
        self.extra = component.get("extra") or {}
        self.definition = definition


def staff_nav(request: HttpRequest, scope: Scope) -> list[dict]:
    if not scope.is_staff:
        return []
    return [
        {"url": "/analytics/", "label": _("Показники")},
        {"url": "/analytics/ratings/", "label": _("Рейтинги")},
    ]
