"""Public pages (no login): home, search, subjects, indicators, reports and their permalinks,
QR codes, posters, the embeddable widget and open data. They read published snapshots only."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from yakist.accounts.services import client_ip
from yakist.core.choropleth import render_map
from yakist.core.periods import Period, kyiv_now
from yakist.core.ratelimit import rate_limit_hit
from yakist.indicators import selectors as indicators
from yakist.portal import cache as page_cache
from yakist.portal import (
    datapackage,
    opendata,
    posters,
    presenting,
    qr,
    schedule,
    selectors,
    sources,
)
from yakist.portal.cache import (
    ARCHIVE,
    list_tag,
    period_tag,
    publication_tag,
    subject_link_tag,
    subject_tag,
)
from yakist.portal.templatetags.portal import format_value
from yakist.registry import selectors as registry
from yakist.registry.models.reference import Centre

BROWSER_MAX_AGE = 60  # seconds a browser or proxy may reuse a page before asking again


def cached_page(
    tags_of: Callable[[dict], Iterable[str]],
    *,
    ttl: int = page_cache.PAGE_TTL,
    vary_on: Iterable[str] = (),
):
    """Serve a public page from the cache while none of its tags changed.

    A page is one document per path: only the query parameters it declares in `vary_on` make
    another cache entry; any other parameter (`?x=1`, tracking tags) is ignored and the cached
    page served, so a query string cannot make the server render a page on every request.
    """
    varying = tuple(sorted(vary_on))

    def decorator(view):
        @wraps(view)
        @require_safe
        def wrapper(request: HttpRequest, **kwargs):
            query = "&".join(f"{name}={request.GET.get(name, '')}" for name in varying)
            key = page_cache.page_key(f"{request.path}?{query}", tags_of(kwargs))
            stored = page_cache.page_get(key)
            if stored is not None:
                response = HttpResponse(stored["body"], content_type=stored["type"])
                for header, value in stored["headers"].items():
                    response[header] = value
                response["X-Yakist-Cache"] = "hit"
            else:
                response = view(request, **kwargs)
                if isinstance(response, TemplateResponse):
                    response.render()
                if response.status_code == 200 and not response.streaming:
                    headers = {h: response[h] for h in ("Content-Disposition",) if h in response}
                    page_cache.page_set(
                        key,
                        {
                            "body": response.content,
                            "type": response["Content-Type"],
                            "headers": headers,
                        },
                        ttl,
                    )
                response["X-Yakist-Cache"] = "miss"
            if response.status_code == 200:
                response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
            return response

        return wrapper

    return decorator


def rate_limited_per_client(name: str, *, limit: Callable[[], int], window_seconds: int = 60):
    """At most `limit()` requests a client may make to a view within the window (cached or
    not); then 429 with Retry-After and a Ukrainian explanation."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, **kwargs):
            retry_after = rate_limit_hit(
                key=f"{name}:{client_key(client_ip(request))}",
                limit=limit(),
                window_seconds=window_seconds,
            )
            if retry_after is not None:
                response = HttpResponse(
                    _("Забагато запитів з вашої адреси. Повторіть через %(seconds)s с.")
                    % {"seconds": retry_after},
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(retry_after)
                return response
            return view(request, **kwargs)

        return wrapper

    return decorator


def client_key(ip: str | None) -> str:
    """A keyed, truncated hash of the address: enough to count requests, not to identify."""
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, f"client:{ip or ''}".encode(), hashlib.sha256).hexdigest()[:32]


def _poster_limit() -> int:
    return settings.POSTER_RATE_LIMIT


def _page(request, template: str, context: dict) -> TemplateResponse:
    return TemplateResponse(request, template, context)


# --- Home, search ---


@cached_page(lambda kw: [subject_tag("nation", ""), list_tag("nation")])
def home(request: HttpRequest) -> HttpResponse:
    national = selectors.published_for_subject("nation", "")
    sections = presenting.subject_view(national)
    yearly = next((s for s in sections if s["content"]["periodicity"] == "yearly"), None)
    headline = presenting.headline(sections[0]) if sections else []
    map_code = headline[0]["code"] if headline else None
    context = {
        "sections": sections,
        "headline": headline,
        "totals": registry.registry_totals(),
        "regions": registry.regions(),
        "feedback_subject": "national",
    }
    if map_code:
        context.update(_region_map(map_code, yearly or sections[0]))
    return _page(request, "portal/home.html", context)


def _region_map(code: str, national: dict) -> dict:
    """Regions' published values of one indicator for the national report's period."""
    period = national["publication"].period
    names = {t.code: t.display_name for t in registry.regions()}
    values: dict[str, float | None] = dict.fromkeys(names)
    entries = {}
    for publication in selectors.published_of_type("region"):
        if publication.period != period:
            continue
        entry = presenting.present(publication)["by_code"].get(code)
        if entry:
            entries[publication.subject_key] = entry
            values[publication.subject_key] = entry["value"]
    unit = national["by_code"].get(code, {}).get("unit", "share")
    name_key = "name_en" if get_language() == "en" else "name"
    svg = render_map(
        values,
        title=_("%(indicator)s за регіонами, %(period)s")
        % {"indicator": national["by_code"].get(code, {}).get(name_key, code), "period": period},
        names=names,
        fmt=lambda v: format_value(v, unit),
        href=lambda region: f"{_prefix()}/regions/{region}",
        lower_is_better=national["by_code"].get(code, {}).get("direction") == "lower_better",
    )
    rows = [{"code": c, "name": names[c], "entry": entries.get(c)} for c in names]
    return {
        "map_svg": svg,
        "map_rows": rows,
        "map_indicator": national["by_code"].get(code),
        "map_period": period,
    }


def _prefix() -> str:
    return "" if get_language() == settings.LANGUAGE_CODE else f"/{get_language()}"


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    centres = selectors.search_centres(query)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "centres": centres,
            "too_short": 0 < len(query) < 2,
            "feedback_subject": "national",
        },
    )


# --- Subject pages ---


def _subject_page(request, subject: sources.Subject, template: str, extra: dict | None = None):
    publications = selectors.published_for_subject(subject.type, subject.key)
    link = selectors.subject_link(subject.type, subject.key)
    context = {
        "subject": subject,
        "sections": presenting.subject_view(publications),
        "archive": publications,
        "link": link,
        "short_url": presenting.subject_permalink(link) if link else None,
        "feedback_subject": f"{subject.type}:{subject.key}"
        if subject.type != "nation"
        else "national",
        **(extra or {}),
    }
    return _page(request, template, context)


@cached_page(lambda kw: [subject_tag("centre", kw["code"])])
def centre(request: HttpRequest, code: str) -> HttpResponse:
    point = registry.centres_public().filter(code=code).first()
    if point is None:
        raise Http404
    if point.parent_id:
        return redirect("portal:centre", code=point.parent.code)
    subject = sources.subject_get("centre", code)
    if subject is None:
        raise Http404
    access_points = registry.centres_public().filter(parent=point).exclude(status="closed")
    return _subject_page(
        request, subject, "portal/centre.html", {"centre": point, "access_points": access_points}
    )


@cached_page(lambda kw: [subject_tag("provider", kw["code"])])
def provider(request: HttpRequest, code: str) -> HttpResponse:
    subject = sources.subject_get("provider", code)
    if subject is None:
        raise Http404
    return _subject_page(request, subject, "portal/subject.html")


@cached_page(lambda kw: [subject_tag("hromada", kw["code"]), list_tag(f"hromada:{kw['code']}")])
def hromada(request: HttpRequest, code: str) -> HttpResponse:
    subject = sources.subject_get("hromada", code)
    if subject is None:
        raise Http404
    centres = registry.centres_public(hromada=code, kind=Centre.Kind.CENTRE).exclude(
        status="closed"
    )
    return _subject_page(
        request, subject, "portal/subject.html", {"centres": _centre_rows(centres, hromada=code)}
    )


@cached_page(lambda kw: [subject_tag("region", kw["code"]), list_tag(f"region:{kw['code']}")])
def region(request: HttpRequest, code: str) -> HttpResponse:
    subject = sources.subject_get("region", code)
    if subject is None:
        raise Http404
    centres = registry.centres_public(region=code, kind=Centre.Kind.CENTRE).exclude(status="closed")
    return _subject_page(
        request, subject, "portal/subject.html", {"centres": _centre_rows(centres, region=code)}
    )


def _centre_rows(centres, *, region: str | None = None, hromada: str | None = None) -> list[dict]:
    """Each centre with the headline figures of its latest published yearly report."""
    latest: dict[str, dict] = {}
    for publication in selectors.published_of_type("centre", region=region, hromada=hromada):
        if publication.subject_key not in latest and publication.periodicity == "yearly":
            latest[publication.subject_key] = presenting.present(publication)
    return [
        {
            "centre": c,
            "report": latest.get(c.code),
            "headline": presenting.headline(latest.get(c.code)),
        }
        for c in centres
    ]


def subject_short(request: HttpRequest, code: str) -> HttpResponse:
    link = selectors.subject_link_by_code(code)
    if link is None:
        raise Http404
    return redirect(_subject_url(link.subject_type, link.subject_key))


def _subject_url(subject_type: str, key: str) -> str:
    route = {
        "centre": "centres",
        "provider": "providers",
        "hromada": "hromadas",
        "region": "regions",
    }
    if subject_type == "nation":
        return f"{_prefix()}/"
    return f"{_prefix()}/{route[subject_type]}/{key}"


# --- Reports ---


@cached_page(lambda kw: [publication_tag(kw["code"])])
def report(request: HttpRequest, code: str) -> HttpResponse:
    publication = selectors.publication_public(code)
    if publication is None:
        raise Http404
    presented = presenting.present(publication)
    versions = selectors.versions_of(publication)
    return _page(
        request,
        "portal/report.html",
        {
            **presented,
            "versions": versions,
            "newer": next((v for v in versions if v.version > publication.version), None),
            "subject_url": _subject_url(publication.subject_type, publication.subject_key),
            "feedback_subject": f"{publication.subject_type}:{publication.subject_key}"
            if publication.subject_type != "nation"
            else "national",
        },
    )


@cached_page(lambda kw: [ARCHIVE])
def archive(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "portal/archive.html",
        {"periods": selectors.published_periods(), "feedback_subject": "national"},
    )


@cached_page(lambda kw: [period_tag(kw["period"])])
def archive_period(request: HttpRequest, period: str) -> HttpResponse:
    try:
        parsed = Period.parse(period)
    except ValueError as error:
        raise Http404 from error
    publications = list(selectors.published_in_period(parsed.code))
    if not publications:
        raise Http404
    return _page(
        request,
        "portal/archive_period.html",
        {
            "period": parsed,
            "publications": publications,
            "due_on": schedule.due_date(parsed),
            "feedback_subject": "national",
        },
    )


# --- Indicators ---


def _definition(code: str):
    for definition in indicators.definitions_in_force(presenting_today()):
        if definition.code == code:
            return definition
    return None


def presenting_today():
    return kyiv_now().date()


@cached_page(lambda kw: [list_tag("nation"), subject_tag("nation", "")])
def indicator_list(request: HttpRequest) -> HttpResponse:
    definitions = list(indicators.definitions_in_force(presenting_today()))
    return _page(
        request,
        "portal/indicators.html",
        {"definitions": definitions, "rules": schedule.rules(), "feedback_subject": "national"},
    )


@cached_page(lambda kw: [list_tag("nation"), subject_tag("nation", "")])
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    definition = _definition(code)
    if definition is None:
        raise Http404
    national = selectors.published_for_subject("nation", "")
    mine = [p for p in national if p.periodicity == definition.periodicity]
    context = {
        "definition": definition,
        "rule": schedule.rules().get(definition.periodicity),
        "series": presenting.trends(mine).get(code, []),
        "feedback_subject": f"indicator:{code}",
    }
    if mine:
        latest = presenting.present(mine[0])
        if code in latest["by_code"]:
            context.update(_region_map(code, latest))
    return _page(request, "portal/indicator.html", context)


# --- Permalink files: QR codes and posters (language-neutral) ---


def _public_or_404(code: str):
    publication = selectors.publication_public(code)
    if publication is None:
        raise Http404
    return publication


FILE_CACHE = "public, max-age=86400"


@require_safe
def report_qr(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    publication = _public_or_404(code)
    return qr.response(presenting.permalink(publication), kind=kind)


@require_safe
def report_content(request: HttpRequest, code: str) -> HttpResponse:
    """The exact canonical JSON whose SHA-256 the report page shows."""
    publication = _public_or_404(code)
    response = HttpResponse(
        publication.content_json, content_type="application/json; charset=utf-8"
    )
    response["Cache-Control"] = FILE_CACHE
    return response


@rate_limited_per_client("poster", limit=_poster_limit)
@cached_page(lambda kw: [publication_tag(kw["code"])])
def report_poster(request: HttpRequest, code: str) -> HttpResponse:
    publication = _public_or_404(code)
    return posters.report_poster(presenting.present(publication))


def _link_or_404(code: str):
    link = selectors.subject_link_by_code(code)
    if link is None:
        raise Http404
    return link


@require_safe
def subject_qr(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    link = _link_or_404(code)
    return qr.response(link.external_url or presenting.subject_permalink(link), kind=kind)


@rate_limited_per_client("poster", limit=_poster_limit)
@cached_page(lambda kw: [subject_link_tag(kw["code"])])
def subject_poster(request: HttpRequest, code: str) -> HttpResponse:
    link = _link_or_404(code)
    subject = sources.subject_get(link.subject_type, link.subject_key)
    if subject is None:
        raise Http404
    publications = selectors.published_for_subject(link.subject_type, link.subject_key)
    return posters.subject_poster(subject, link, presenting.subject_view(publications))


# --- Widget for subjects' own websites ---


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@cached_page(lambda kw: [subject_link_tag(kw["code"])])
def widget(request: HttpRequest, code: str) -> HttpResponse:
    link = _link_or_404(code)
    subject = sources.subject_get(link.subject_type, link.subject_key)
    if subject is None:
        raise Http404
    publications = selectors.published_for_subject(link.subject_type, link.subject_key)
    sections = presenting.subject_view(publications)
    return _page(
        request,
        "portal/widget.html",
        {
            "subject": subject,
            "link": link,
            "latest": sections[0] if sections else None,
            "headline": presenting.headline(sections[0]) if sections else [],
            "page_url": settings.PUBLIC_BASE_URL
            + _subject_url(link.subject_type, link.subject_key),
            "feedback_subject": f"{link.subject_type}:{link.subject_key}"
            if link.subject_type != "nation"
            else "national",
        },
    )


# --- Open data ---


@cached_page(lambda kw: [ARCHIVE])
def opendata_catalogue(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "portal/opendata.html",
        {
            "datasets": opendata.catalogue(),
            "feedback_subject": "national",
            "licence": opendata.LICENCE,
        },
    )


@cached_page(lambda kw: ["dictionary"])
def opendata_dictionary(request: HttpRequest) -> HttpResponse:
    definitions = list(indicators.definitions_in_force(presenting_today()))
    return _page(
        request,
        "portal/dictionary.html",
        {
            "definitions": definitions,
            "methodology_code": definitions[0].methodology.code if definitions else "",
            "columns": opendata.DICTIONARY,
            "feedback_subject": "national",
            "licence": opendata.LICENCE,
        },
    )


@cached_page(lambda kw: [period_tag(kw["period"])])
def opendata_file(request: HttpRequest, period: str, fmt: str) -> HttpResponse:
    try:
        parsed = Period.parse(period)
    except ValueError as error:
        raise Http404 from error
    if parsed.code != period:
        raise Http404
    records = opendata.records(parsed.code)
    if not records:
        raise Http404
    return opendata.response(parsed.code, records, fmt)


@require_safe
def opendata_package(request: HttpRequest) -> HttpResponse:
    return _json_document(datapackage.data_package(), "application/json")


@require_safe
def opendata_dcat(request: HttpRequest) -> HttpResponse:
    return _json_document(datapackage.dcat_catalogue(), "application/ld+json")


def _json_document(document: dict, content_type: str) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = f"{content_type}; charset=utf-8"
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # harvesters and validators read it anywhere
    return response


@cached_page(lambda kw: ["dictionary"])
def opendata_dictionary_file(request: HttpRequest, fmt: str) -> HttpResponse:
    return opendata.dictionary_response(fmt)
