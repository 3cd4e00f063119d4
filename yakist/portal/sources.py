"""What the portal reads from earlier stages: registry subjects and the methodology's results.

The indicators app's selectors answer one subject at a time; publishing a national set needs
the same rows for every subject of a period in one query, so those set-based reads live here,
next to the only code that needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from yakist.core.periods import Period
from yakist.indicators import selectors as indicators
from yakist.registry import selectors as registry
from yakist.registry.models.reference import Centre, Organisation, Territory

NATION_NAME = "Україна"


@dataclass(frozen=True)
class Subject:
    """A monitoring subject as the portal addresses it: (type, key) plus what pages need."""

    type: str
    key: str
    name: str
    region_code: str | None = None
    region_name: str = ""
    hromada_code: str | None = None
    centre_id: int | None = None
    provider_id: int | None = None
    settlement: str = ""

    @property
    def ref(self) -> tuple[str, str]:
        return (self.type, self.key)


def _centre_subject(centre: Centre) -> Subject:
    return Subject(
        type="centre",
        key=centre.code,
        name=centre.name,
        region_code=centre.region_id,
        region_name=centre.region.display_name,
        hromada_code=centre.hromada_id,
        centre_id=centre.pk,
        settlement=centre.territory.display_name,
    )


def _provider_subject(provider: Organisation) -> Subject:
    return Subject(
        type="provider",
        key=provider.code,
        name=provider.name,
        region_code=provider.region_id,
        region_name=provider.region.display_name if provider.region_id else "",
        provider_id=provider.pk,
    )


def _territory_subject(kind: str, territory: Territory) -> Subject:
    region = territory if kind == "region" else territory.region
    return Subject(
        type=kind,
        key=territory.code,
        name=territory.display_name,
        region_code=region.code if region else None,
        region_name=region.display_name if region else "",
        hromada_code=territory.code if kind == "hromada" else None,
    )


NATION = Subject(type="nation", key="", name=NATION_NAME)


def subject_get(subject_type: str, key: str) -> Subject | None:
    if subject_type == "nation":
        return NATION
    if subject_type == "centre":
        centre = (
            registry.centres_public(kind=Centre.Kind.CENTRE)
            .exclude(status="closed")
            .filter(code=key)
            .first()
        )
        return _centre_subject(centre) if centre else None
    if subject_type == "provider":
        provider = _providers().filter(code=key).first()
        return _provider_subject(provider) if provider else None
    territory = registry.territory_get(key)
    if territory is None:
        return None
    if subject_type == "region" and territory.is_region:
        return _territory_subject("region", territory)
    if subject_type == "hromada" and territory.category == Territory.Category.HROMADA:
        return _territory_subject("hromada", territory)
    return None


def _providers() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).select_related("region")


def subjects_all(*, types: list[str] | None = None, region: str | None = None) -> list[Subject]:
    """Every subject expected to publish: main centres that are not closed, providers,
    hromadas that have a centre, regions and the nation."""
    types = types or ["centre", "provider", "hromada", "region", "nation"]
    result: list[Subject] = []
    if "nation" in types and region is None:
        result.append(NATION)
    if "region" in types:
        regions = registry.regions()
        if region:
            regions = regions.filter(code=region)
        result.extend(_territory_subject("region", t) for t in regions)
    centres = list(
        registry.centres_public(kind=Centre.Kind.CENTRE, region=region).exclude(status="closed")
    )
    if "hromada" in types:
        hromada_codes = {c.hromada_id for c in centres if c.hromada_id}
        hromadas = Territory.objects.filter(
            code__in=hromada_codes, category=Territory.Category.HROMADA
        ).select_related("region")
        result.extend(_territory_subject("hromada", t) for t in hromadas.order_by("code"))
    if "centre" in types:
        result.extend(_centre_subject(c) for c in centres)
    if "provider" in types:
        providers = _providers()
        if region:
            providers = providers.filter(region_id=region)
        result.extend(_provider_subject(p) for p in providers.order_by("code"))
    return result


def definitions_in_force(period: Period) -> list:
    """Every definition in force at the end of the period (of any periodicity)."""
    return list(indicators.definitions_in_force(period.last_day))


def period_results(*, period: Period, types: list[str], keys: list[str] | None) -> list[dict]:
    """Current results of a period for many subjects at once (every breakdown)."""
    return indicators.period_results(period=period.code, types=types, keys=keys)


def data_as_of(*, period: Period, types: list[str], keys: list[str] | None) -> dict:
    """{(type, key): latest computation time} of the period's current results."""
    return indicators.results_computed_at(period=period.code, types=types, keys=keys)


def peer_values(*, period: Period, subject_type: str, indicator_codes: list[str]) -> dict:
    """{indicator_code: [values]} of every peer with a computed value."""
    values: dict[str, list[float]] = {code: [] for code in indicator_codes}
    for code in indicator_codes:
        values[code] = list(
            indicators.peer_results(
                indicator_code=code, subject_type=subject_type, period=period.code
            )
            .filter(status="ok", value__isnull=False)
            .values_list("value", flat=True)
        )
    return values


def period_ratings(*, period: Period, types: list[str], keys: list[str] | None) -> list:
    return indicators.period_ratings(period=period.code, types=types, keys=keys)


def results_exist(period: Period) -> bool:
    return indicators.results_exist(period.code)


def period_measures(*, period: Period, refs: set[tuple[str, str]]) -> dict[tuple[str, str], list]:
    """Measures taken in the period by each subject (the improvement loop's public records):
    the draft publication procedure (title, p. 1) publishes them with the results."""
    measures_of_period = import_string(settings.PUBLICATION_MEASURES)
    return {
        ref: [
            {
                "id": m.pk,
                "title": m.title,
                "problem": m.problem.title if m.problem else m.addresses,
                "responsible_body": m.responsible_body,
                "started_on": m.started_on.isoformat(),
                "completed_on": m.completed_on.isoformat() if m.completed_on else None,
                "indicators": list(m.indicators),
            }
            for m in found
        ]
        for ref, found in measures_of_period(period, refs).items()
    }
