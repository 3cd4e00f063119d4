"""Prefill sources: answers Yakist already knows, offered in empty fields with their source shown.

A source is registered under a key (`registry`, later `cases` for services provided by kind from
dynamic monitoring) and names the facts it can give. A catalogue indicator asks for one fact as
`prefill: <source>:<fact>`. Sources answer for many centres at once (one query per source, not
one per centre). Another app registers its source from its AppConfig.ready():

    from yakist.statmon import prefill
    prefill.register(prefill.PrefillSource(key="cases", label=..., facts={...}, provide=...))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.periods import Period
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre

# provide(centres, period) -> {centre_id: {fact: value}}; facts it cannot know are left out.
Provider = Callable[[Sequence[Centre], Period], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class PrefillSource:
    key: str
    label: Any
    facts: dict[str, Any]
    provide: Provider


@dataclass(frozen=True)
class Suggestion:
    value: Any
    source: str
    label: str


_SOURCES: dict[str, PrefillSource] = {}


def register(source: PrefillSource) -> None:
    _SOURCES[source.key] = source


def sources() -> dict[str, PrefillSource]:
    return dict(_SOURCES)


def unregistered(indicators: Iterable) -> list[str]:
    """Warnings for catalogue prefill references no installed app provides (yet)."""
    warnings = []
    for indicator in indicators:
        if not indicator.prefill:
            continue
        key, fact = indicator.prefill.split(":", 1)
        source = _SOURCES.get(key)
        if source is None:
            warnings.append(
                _("%(code)s: джерело «%(key)s» ще не підключене — поле заповнюється вручну")
                % {"code": indicator.code, "key": key}
            )
        elif fact not in source.facts:
            warnings.append(
                _("%(code)s: джерело «%(key)s» не знає факту «%(fact)s»")
                % {"code": indicator.code, "key": key, "fact": fact}
            )
    return warnings


def suggestions(
    indicators: Iterable, centres: Sequence[Centre], period: Period
) -> dict[int, dict[str, Suggestion]]:
    """{centre_id: {indicator code: Suggestion}} from every registered source the form uses."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for indicator in indicators:
        if indicator.prefill:
            key, fact = indicator.prefill.split(":", 1)
            wanted.setdefault(key, []).append((indicator.code, fact))
    result: dict[int, dict[str, Suggestion]] = {centre.pk: {} for centre in centres}
    for key, pairs in wanted.items():
        source = _SOURCES.get(key)
        if source is None or not centres:
            continue
        facts = source.provide(centres, period)
        for centre_id, known in facts.items():
            for code, fact in pairs:
                if fact in known and known[fact] is not None:
                    result.setdefault(centre_id, {})[code] = Suggestion(
                        value=known[fact], source=key, label=str(source.label)
                    )
    return result


# --- The registry source -----------------------------------------------------------------------

DAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "нд"]
_TIME = r"(\d{1,2})[:.](\d{2})"
_SPAN_RE = re.compile(_TIME + r"\s*[–—-]\s*" + _TIME)
_UNTIL_RE = re.compile(r"до\s+" + _TIME)
_DAYS_RE = re.compile(r"^\s*((?:пн|вт|ср|чт|пт|сб|нд)(?:\s*[,–—-]\s*(?:пн|вт|ср|чт|пт|сб|нд))*)")


def parse_working_hours(text: str) -> dict[str, Any] | None:
    """Weekly hours, days open, Saturday and evening work from a schedule like
    «Пн–Пт 08:00–17:00, без перерви; Ср до 20:00». None when the text cannot be read."""
    schedule: dict[int, list[float]] = {}
    for part in text.lower().split(";"):
        match = _DAYS_RE.match(part)
        if not match:
            continue
        days = _expand_days(match.group(1))
        rest = part[match.end() :]
        span = _SPAN_RE.search(rest)
        until = _UNTIL_RE.search(rest)
        for day in days:
            if span:
                start = int(span.group(1)) + int(span.group(2)) / 60
                end = int(span.group(3)) + int(span.group(4)) / 60
                schedule[day] = [start, end]
            elif until and day in schedule:
                schedule[day][1] = int(until.group(1)) + int(until.group(2)) / 60
    if not schedule:
        return None
    hours = sum(max(0.0, end - start) for start, end in schedule.values())
    return {
        "working_hours": text,
        "weekly_hours": round(hours, 1),
        "days_per_week": len(schedule),
        "saturday": 5 in schedule,
        "evening": any(end >= 19 for _start, end in schedule.values()),
        "no_break": "без перерви" in text.lower(),
    }


def _expand_days(spec: str) -> list[int]:
    parts = re.findall(r"пн|вт|ср|чт|пт|сб|нд|[–—-]|,", spec)
    days: list[int] = []
    pending_range = False
    for part in parts:
        if part in "–—-":
            pending_range = True
        elif part == ",":
            pending_range = False
        else:
            index = DAYS.index(part)
            if pending_range and days:
                days.extend(range(days[-1] + 1, index + 1))
            else:
                days.append(index)
            pending_range = False
    return days


def _registry_provide(centres: Sequence[Centre], period: Period) -> dict[int, dict[str, Any]]:
    ids = [centre.pk for centre in centres]
    points = {
        row["parent_id"]: row
        for row in Centre.objects.filter(parent_id__in=ids)
        .exclude(status=Status.CLOSED, closed_on__lt=period.first_day)
        .values("parent_id")
        .annotate(
            subdivisions=Count("pk", filter=Q(kind=Centre.Kind.SUBDIVISION)),
            remote_workplaces=Count("pk", filter=Q(kind=Centre.Kind.REMOTE_WORKPLACE)),
            mobile_units=Count("pk", filter=Q(kind=Centre.Kind.MOBILE)),
        )
    }
    result: dict[int, dict[str, Any]] = {}
    for centre in centres:
        facts: dict[str, Any] = {}
        if centre.population_served:
            facts["population_served"] = centre.population_served
        if centre.kind == Centre.Kind.CENTRE:
            counts = points.get(centre.pk, {})
            for fact in ("subdivisions", "remote_workplaces", "mobile_units"):
                facts[fact] = counts.get(fact, 0)
        if centre.working_hours:
            facts.update(parse_working_hours(centre.working_hours) or {})
        result[centre.pk] = facts
    return result


def register_registry_source() -> None:
    register(
        PrefillSource(
            key="registry",
            label=gettext_lazy("Реєстр центрів"),
            facts={
                "population_served": gettext_lazy("населення, що обслуговується"),
                "subdivisions": gettext_lazy("діючі територіальні підрозділи"),
                "remote_workplaces": gettext_lazy("діючі віддалені робочі місця"),
                "mobile_units": gettext_lazy("мобільні ЦНАП"),
                "working_hours": gettext_lazy("графік роботи"),
                "weekly_hours": gettext_lazy("годин роботи на тиждень"),
                "days_per_week": gettext_lazy("днів роботи на тиждень"),
                "saturday": gettext_lazy("працює в суботу"),
                "evening": gettext_lazy("працює після 19:00 хоча б один день"),
                "no_break": gettext_lazy("працює без перерви"),
            },
            provide=_registry_provide,
        )
    )


def _cases_provide(centres: Sequence[Centre], period: Period) -> dict[int, dict[str, Any]]:
    from yakist.cases.selectors import centre_flows

    return centre_flows(centre_ids=[c.pk for c in centres], period=period)


def register_cases_source() -> None:
    """Dynamic monitoring's counts of the quarter, for centres whose system reports them."""
    register(
        PrefillSource(
            key="cases",
            label=gettext_lazy("Динамічний моніторинг (справи від підключених систем)"),
            facts={
                "applications": gettext_lazy("заяв отримано"),
                "applications_online": gettext_lazy("заяв подано онлайн"),
                "results": gettext_lazy("рішень ухвалено"),
                "refusals": gettext_lazy("рішень про відмову"),
                "overdue": gettext_lazy("рішень після строку"),
                **{
                    kind: gettext_lazy("заяв за видом послуг")
                    for kind in (
                        "kind_civil",
                        "kind_passport",
                        "kind_residence",
                        "kind_business",
                        "kind_property",
                        "kind_land",
                        "kind_social",
                        "kind_pension",
                        "kind_veterans",
                        "kind_construction",
                        "kind_transport",
                        "kind_permits",
                        "kind_local",
                        "kind_other",
                    )
                },
            },
            provide=_cases_provide,
        )
    )
