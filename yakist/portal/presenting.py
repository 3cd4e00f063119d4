"""Turning published snapshots into what public pages show: entries with status words,
trends across published periods, peers' spread, and headline figures."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings

from yakist.core.periods import Period
from yakist.portal import schedule
from yakist.portal.models import Publication, SubjectLink
from yakist.portal.selectors import content_of

HEADLINE = ["timeliness", "satisfaction", "loyalty_index", "offline_compliance"]
TREND_LENGTH = 8


def permalink(publication: Publication) -> str:
    return f"{settings.PUBLIC_BASE_URL}/p/{publication.code}"


def subject_permalink(link: SubjectLink) -> str:
    return f"{settings.PUBLIC_BASE_URL}/s/{link.code}"


def _no_data_status(coverage: dict | None) -> str:
    """Why a figure is missing, as far as the report's data coverage tells: the subject is not
    connected, it has not reported, or (without a coverage figure) simply "no data"."""
    if coverage is None or coverage.get("status") == "suppressed":
        return "no_data"
    if coverage.get("value"):
        return "not_reported"
    extra = coverage.get("extra") or {}
    reason = extra.get("reason")
    if reason == "no_report" or (reason is None and extra.get("connected")):
        return "not_reported"
    return "not_connected"


def present(publication: Publication) -> dict:
    """A snapshot with display hints added (never changes the figures)."""
    content = content_of(publication)
    coverage = content.get("coverage")
    missing_status = _no_data_status(coverage)
    if coverage and coverage["status"] == "no_data":
        coverage["status"] = missing_status
    for entry in content["indicators"]:
        if entry["status"] == "no_data":
            entry["status"] = missing_status
        peers = entry.get("peers")
        if peers and entry.get("value") is not None and peers["max"] != peers["min"]:
            span = peers["max"] - peers["min"]
            entry["marker"] = round(100 * (entry["value"] - peers["min"]) / span)
            entry["box"] = {
                "left": round(100 * (peers["p25"] - peers["min"]) / span),
                "width": max(1, round(100 * (peers["p75"] - peers["p25"]) / span)),
                "median": round(100 * (peers["median"] - peers["min"]) / span),
            }
    period = Period.parse(publication.period)
    return {
        "publication": publication,
        "content": content,
        "period": period,
        "period_label": period.label,
        "permalink": permalink(publication),
        "due_on": publication.due_on,
        "late": schedule.is_late(
            period, published_at=publication.published_at, today=period.last_day
        )
        if publication.published_at
        else False,
        "by_code": {e["code"]: e for e in content["indicators"]},
    }


def headline(presented: dict | None) -> list[dict]:
    if presented is None:
        return []
    by_code = presented["by_code"]
    return [by_code[c] for c in HEADLINE if c in by_code] or presented["content"]["indicators"][:4]


def trends(publications: list[Publication]) -> dict[str, list[dict]]:
    """{indicator: [{period, value, unit, status}]} oldest first, per periodicity."""
    series: dict[str, list[dict]] = defaultdict(list)
    for publication in sorted(publications, key=lambda p: Period.parse(p.period).last_day):
        content = content_of(publication)
        for entry in content["indicators"]:
            series[entry["code"]].append(
                {
                    "period": publication.period,
                    "value": entry["value"],
                    "unit": entry["unit"],
                    "status": entry["status"],
                    "code": publication.code,
                }
            )
    return {code: points[-TREND_LENGTH:] for code, points in series.items()}


def subject_view(publications: list[Publication]) -> list[dict]:
    """The latest yearly and quarterly reports, each indicator with its trend."""
    sections = []
    for periodicity in ("yearly", "quarterly"):
        mine = [p for p in publications if p.periodicity == periodicity]
        if not mine:
            continue
        latest = present(mine[0])
        series = trends(mine)
        for entry in latest["content"]["indicators"]:
            entry["trend"] = series.get(entry["code"], [])
        sections.append(latest)
    return sections
