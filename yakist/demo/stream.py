"""Demo step and live sender: a year of synthetic case events from the demo's connected systems.

Only centres in a system's connection scope (and their access points) get events from that
system; the provider registry (scope "all") reports online cases of providers; the sandbox
system's events go to the sandbox. Every centre has its own character (volume, lateness,
suspensions, refusals, ratings), so dashboards show differences. The history goes through the
real pipeline's set-based code: journal entries, `store.events_insert`, `cases_project`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from yakist.cases.deadlines import Term, deadline_compute
from yakist.core.periods import KYIV
from yakist.demo.registry import SHOWCASE_HROMADA
from yakist.demo.runner import DemoContext
from yakist.ingest import store
from yakist.ingest.models import Journal
from yakist.ingest.validation import pseudonym
from yakist.registry.enums import Status
from yakist.registry.models import ConnectedSystem
from yakist.registry.models.reference import Centre, Organisation, Service, ServiceTerm

CASES_AT_SCALE_1 = 40_000  # a year; keeps the step within 15 s on SQLite
# The showcase centre weighs as much as ~30 average ones: a city centre's ~1,500 cases a year,
# so its administrator's dashboards move (the national total stays the same).
SHOWCASE_FACTOR = 30.0
ONLINE_SHARE = 0.12  # of all cases: online, reported by the provider registry
SANDBOX_CASES = 40
SUSPEND_REASONS = [
    "неповний пакет документів",
    "потрібні додаткові відомості від суб'єкта звернення",
    "запит до іншого органу",
]
REFUSAL_REASONS = [
    "подано не всі документи, визначені законом",
    "виявлено недостовірні відомості в документах",
    "відсутні підстави для надання послуги",
]
RATINGS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
RATING_WEIGHTS = [2, 1, 1, 1, 1, 3, 3, 5, 8, 20, 55]


@dataclass
class CentreProfile:
    """A centre's character in the demo: how busy and how good it is."""

    id: int
    code: str
    region_code: str
    founder_id: int | None
    founder_code: str | None
    kind: str
    weight: float
    late: float
    suspend: float
    refuse: float
    rating_shift: int


@dataclass
class ServiceRef:
    id: int
    code: str
    term: Term
    provider_codes: list[str]
    weight: float


def _showcase(centre: dict) -> bool:
    """The main centre the demo's `centre` login administers (yakist.demo.registry)."""
    return centre["kind"] == "centre" and centre["hromada_id"] == SHOWCASE_HROMADA


@dataclass
class DemoWorld:
    """What the generator and the live sender need to know about the registry."""

    systems: dict[int, ConnectedSystem]
    centres: dict[int, list[CentreProfile]]  # system id -> centres it reports for
    services: list[ServiceRef]
    service_weights: list[float]
    providers: dict[str, tuple[int, str | None]]  # code -> (id, region code)
    units: dict[tuple[str, str], tuple[int, str]]  # (central code, region) -> (id, code)
    online_providers: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def load(cls, rng: random.Random, quality: Callable[[str], float]) -> DemoWorld:
        """`quality` is the demo's hidden quality of a centre (DemoContext.centre_quality), so
        a centre's cases agree with its surveys and quarterly reports."""
        systems = {s.pk: s for s in ConnectedSystem.objects.exclude(status="suspended")}
        centres = _active_centres()
        profiles = _profiles(centres, rng, quality)
        services = _service_refs(rng)
        units = _provider_units()
        world = cls(
            systems=systems,
            centres=_centres_by_system(systems, centres, profiles),
            services=services,
            service_weights=list(itertools.accumulate(s.weight for s in services)),
            providers=_providers(),
            units=units,
        )
        world.online_providers = sorted(units.values())
        return world

    def service(self, rng: random.Random) -> ServiceRef:
        point = rng.random() * self.service_weights[-1]
        return self.services[bisect.bisect_left(self.service_weights, point)]

    def provider_for(self, service: ServiceRef, centre: CentreProfile | None, rng) -> tuple:
        """The body that decides: the central provider's unit in the centre's region, else
        the local council that founded the centre (local services)."""
        if service.provider_codes:
            central = service.provider_codes[rng.randrange(len(service.provider_codes))]
            region = centre.region_code if centre else None
            if region and (central, region) in self.units:
                return self.units[(central, region)]
            if central in self.providers:
                return self.providers[central][0], central
        if centre is not None and centre.founder_id and centre.founder_code in self.providers:
            return centre.founder_id, centre.founder_code
        return None


def _active_centres() -> dict[int, dict]:
    return {
        c["pk"]: c
        for c in Centre.objects.filter(status=Status.ACTIVE).values(
            "pk",
            "code",
            "kind",
            "parent_id",
            "region_id",
            "founder_id",
            "founder__code",
            "population_served",
            "hromada_id",
        )
    }


def _profiles(
    centres: dict[int, dict], rng: random.Random, quality: Callable[[str], float]
) -> dict[int, CentreProfile]:
    """Each active centre's character, drawn in the order of its key."""
    profiles: dict[int, CentreProfile] = {}
    for pk, c in sorted(centres.items()):
        population = c["population_served"] or 3000
        profiles[pk] = CentreProfile(
            id=pk,
            code=c["code"],
            region_code=c["region_id"],
            founder_id=c["founder_id"],
            founder_code=c["founder__code"],
            kind=c["kind"],
            weight=math.sqrt(population)
            * (1.0 if c["kind"] == "centre" else 0.5)
            * (SHOWCASE_FACTOR if _showcase(c) else 1.0),
            **_character(quality(c["code"]), rng),
        )
    return profiles


def _centres_by_system(
    systems: dict[int, ConnectedSystem],
    centres: dict[int, dict],
    profiles: dict[int, CentreProfile],
) -> dict[int, list[CentreProfile]]:
    """The centres a system reports for: those in its scope and their access points."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, c in centres.items():
        if c["parent_id"]:
            children[c["parent_id"]].append(pk)
    by_system: dict[int, list[CentreProfile]] = {}
    for pk, system in systems.items():
        if system.scope_all:
            by_system[pk] = []  # a provider registry: online cases, no centre
            continue
        scoped = set(system.scope_centres.values_list("pk", flat=True))
        reach = scoped | {child for parent in scoped for child in children.get(parent, [])}
        by_system[pk] = [profiles[c] for c in sorted(reach) if c in profiles]
    return by_system


def _service_refs(rng: random.Random) -> list[ServiceRef]:
    """Active services with a term in force, each with its weight in the demand."""
    terms: dict[int, Term] = {}
    for service_id, value, unit in (
        ServiceTerm.objects.filter(effective_from__lte=timezone.now().date())
        .order_by("service_id", "effective_from")
        .values_list("service_id", "value", "unit")
    ):
        terms[service_id] = Term(value=value, unit=unit)
    links: dict[int, list[str]] = defaultdict(list)
    for service_id, code in Service.providers.through.objects.values_list(
        "service_id", "organisation__code"
    ):
        links[service_id].append(code)
    services = []
    for service in Service.objects.filter(is_active=True).order_by("code"):
        term = terms.get(service.pk)
        if term is None:
            continue
        # Real services are asked for far more often than the synthetic local ones.
        weight = rng.paretovariate(1.2) * (0.4 if service.synthetic else 3.0)
        services.append(
            ServiceRef(service.pk, service.code, term, sorted(links[service.pk]), weight)
        )
    return services


def _providers() -> dict[str, tuple[int, str | None]]:
    return {
        code: (pk, region)
        for pk, code, region in Organisation.objects.filter(
            kind__in=["provider", "local_gov"]
        ).values_list("pk", "code", "region_id")
    }


def _provider_units() -> dict[tuple[str, str], tuple[int, str]]:
    """A central provider's territorial unit in each region: (central code, region) -> unit."""
    units = {}
    for pk, code, parent_code, region in Organisation.objects.filter(
        kind="provider", parent__isnull=False
    ).values_list("pk", "code", "parent__code", "region_id"):
        units[(parent_code, region)] = (pk, code)
    return units


def _character(quality: float, rng: random.Random) -> dict:
    """A centre's lateness, suspensions, refusals and rating shift from its quality."""
    weak = 1 - quality
    return {
        "late": min(0.45, 0.015 + 0.4 * weak**1.5 + rng.uniform(0, 0.03)),
        "suspend": 0.02 + 0.12 * weak,
        "refuse": 0.015 + 0.08 * weak,
        "rating_shift": max(-3, min(1, round((quality - 0.75) * 6))),
    }


@dataclass
class PlannedEvent:
    type: str
    at: dt.datetime
    status: str = ""
    reason: str = ""
    rating: int | None = None


def plan_case(
    rng: random.Random,
    *,
    received: dt.datetime,
    term: Term,
    channel: str,
    profile: CentreProfile | None,
) -> list[PlannedEvent]:
    """A realistic path through the case lifecycle, with the centre's character."""
    late_rate = profile.late if profile else 0.06
    suspend_rate = profile.suspend if profile else 0.04
    refuse_rate = profile.refuse if profile else 0.05
    shift = profile.rating_shift if profile else 0
    minutes = dt.timedelta(minutes=1)
    events = [PlannedEvent("submitted", received)]
    if channel == "online":
        registered = received + minutes * rng.uniform(10, 600)
    else:
        registered = received + minutes * rng.uniform(1, 20)
    events.append(PlannedEvent("registered", registered))
    moment = registered + minutes * rng.uniform(5, 240)
    if rng.random() < 0.85:
        events.append(PlannedEvent("status_changed", moment, status="in_progress"))
    suspensions = []
    base = deadline_compute(received_at=received, term=term, suspensions=[])
    span = base.due_at - received
    if term.unit != "on_visit" and rng.random() < suspend_rate:
        start = moment + span * rng.uniform(0.1, 0.5)
        end = start + dt.timedelta(days=rng.uniform(1, 9))
        events.append(PlannedEvent("suspended", start, reason=rng.choice(SUSPEND_REASONS)))
        events.append(PlannedEvent("resumed", end))
        suspensions.append((start, end))
        moment = end
    due = (
        deadline_compute(received_at=received, term=term, suspensions=suspensions).due_at
        if suspensions
        else base.due_at
    )
    if rng.random() < 0.02:
        events.append(PlannedEvent("withdrawn", moment + (due - moment) * rng.uniform(0.05, 0.6)))
        return events
    late = rng.random() < late_rate
    if late:
        done = due + dt.timedelta(hours=rng.uniform(2, 24 * 12))
    else:
        done = moment + max(dt.timedelta(0), due - moment) * rng.uniform(0.1, 0.95)
    if rng.random() < refuse_rate:
        if rng.random() < 0.3:
            events.append(PlannedEvent("completed", done))
        events.append(PlannedEvent("refused", done, reason=rng.choice(REFUSAL_REASONS)))
        outcome_at, penalty = done, 4
    else:
        events.append(PlannedEvent("completed", done))
        pickup = minutes * (rng.uniform(1, 30) if channel == "online" else rng.uniform(30, 7200))
        outcome_at = done + pickup
        events.append(PlannedEvent("issued", outcome_at))
        penalty = 2 if late else 0
    if rng.random() < 0.35:
        score = rng.choices(RATINGS, RATING_WEIGHTS)[0] + shift - penalty
        events.append(
            PlannedEvent(
                "rated",
                outcome_at + minutes * rng.uniform(5, 2880),
                rating=max(0, min(10, score)),
            )
        )
    return events


def _received(rng: random.Random, now: dt.datetime, days: int, channel: str) -> dt.datetime:
    """Mostly working days and office hours (Kyiv); online submissions at any hour."""
    while True:
        day = (now - dt.timedelta(days=rng.uniform(0, days))).astimezone(KYIV).date()
        if channel == "online":
            clock = dt.time(rng.randrange(24), rng.randrange(60))
        else:
            if day.weekday() == 6 or (day.weekday() == 5 and rng.random() < 0.7):
                continue
            clock = dt.time(rng.randrange(8, 18), rng.randrange(60))
        moment = dt.datetime.combine(day, clock, tzinfo=KYIV).astimezone(dt.UTC)
        if moment < now:
            return moment


def _event_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stream(ctx: DemoContext) -> str:
    """A year of cases through the real pipeline: journal → events → cases."""
    from yakist.cases.services import cases_project

    rng = ctx.rng("ingest-stream")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A year of events overflows SQLite's default 2 MiB page cache many times over.
            cursor.execute("PRAGMA cache_size = -262144")
    world = DemoWorld.load(rng, ctx.centre_quality)
    now = timezone.now()
    total = max(50, int(CASES_AT_SCALE_1 * ctx.scale))
    centre_systems = [
        pk
        for pk, s in world.systems.items()
        if not s.scope_all and s.status == ConnectedSystem.State.ACTIVE and world.centres[pk]
    ]
    registry = next(
        (pk for pk, s in world.systems.items() if s.scope_all and s.status == "active"), None
    )
    sandbox = next((pk for pk, s in world.systems.items() if s.status == "testing"), None)
    plan: list[tuple[int, bool, int]] = []  # (system, sandbox, number of cases)
    online = int(total * ONLINE_SHARE) if registry else 0
    reach = sum(len(world.centres[pk]) for pk in centre_systems) or 1
    for pk in centre_systems:
        plan.append((pk, False, (total - online) * len(world.centres[pk]) // reach))
    if registry:
        plan.append((registry, False, online))
    if sandbox and world.centres.get(sandbox):
        plan.append((sandbox, True, SANDBOX_CASES))
    # system -> day -> rows, so each day's events become one journal entry per system
    batches: dict[tuple[int, bool], dict[dt.date, list[tuple]]] = defaultdict(
        lambda: defaultdict(list)
    )
    keys: dict[bool, set[tuple[int, str]]] = {False: set(), True: set()}
    applicants = [f"demo-applicant-{n:07d}" for n in range(max(100, total // 2))]
    cases = ctx.track(
        _cases(rng, world, plan, now),
        total=sum(n for _, _, n in plan),
        description="Події справ за рік",
    )
    for system_id, is_sandbox, case_id, service, centre, provider_id, channel, events in cases:
        applicant = ""
        if rng.random() < 0.6:
            applicant = pseudonym(system_id, applicants[rng.randrange(len(applicants))])
        for event in events:
            if event.at > now:
                break  # the rest of this case has not happened yet
            row = (
                _event_id(rng),
                case_id,
                event.type,
                event.at,
                service.id,
                centre.id if centre else None,
                provider_id,
                channel,
                event.status,
                event.reason,
                event.rating,
                applicant,
            )
            batches[(system_id, is_sandbox)][event.at.astimezone(KYIV).date()].append(row)
        keys[is_sandbox].add((system_id, case_id))
    events_total = _journal_and_store(rng, batches, now)
    projected = 0
    for is_sandbox, case_keys in keys.items():
        # The demo's later steps recompute everything; no need to announce each chunk.
        projected += cases_project(keys=case_keys, sandbox=is_sandbox, now=now, announce=False)
    return f"Динамічний моніторинг: {projected} справ, {events_total} подій за рік"


def _cases(rng, world: DemoWorld, plan, now) -> Iterator[tuple]:
    for system_id, is_sandbox, count in plan:
        centres = world.centres[system_id]
        weights = list(itertools.accumulate(c.weight for c in centres)) if centres else []
        prefix = f"S{system_id}-" + ("T" if is_sandbox else "")
        number = 0
        for _ in range(count):
            if centres:
                centre = centres[bisect.bisect_left(weights, rng.random() * weights[-1])]
                channel = {"mobile": "mobile", "remote_workplace": "remote_workplace"}.get(
                    centre.kind, "offline"
                )
            else:
                centre, channel = None, "online"
            service = world.service(rng)
            provider = world.provider_for(service, centre, rng)
            if provider is None:
                continue
            number += 1
            received = _received(rng, now, 365, channel)
            events = plan_case(
                rng, received=received, term=service.term, channel=channel, profile=centre
            )
            yield (
                system_id,
                is_sandbox,
                f"{prefix}{number:07d}",
                service,
                centre,
                provider[0],
                channel,
                events,
            )


def _journal_and_store(rng, batches, now: dt.datetime) -> int:
    """One journal entry per system and day (the history arrives as daily uploads), with a
    small share of rejected events per system, then the events in sets."""
    total = 0
    with transaction.atomic():
        for (system_id, is_sandbox), days in batches.items():
            rejected_rate = rng.choice([0.001, 0.004, 0.015])
            entries = []
            ordered = sorted(days)
            for day in ordered:
                rows = days[day]
                received = max(row[3] for row in rows) + dt.timedelta(seconds=rng.uniform(5, 90))
                rejected = sum(1 for _ in rows if rng.random() < rejected_rate)
                types = {}
                if rejected:
                    types = {"event-unknown-service": rejected}
                    if rejected > 1:
                        types = {
                            "event-unknown-service": rejected // 2,
                            "event-out-of-scope": rejected - rejected // 2,
                        }
                entries.append(
                    Journal(
                        system_id=system_id,
                        received_at=min(received, now),
                        source=Journal.Source.DEMO,
                        sandbox=is_sandbox,
                        headers={"source": "demo"},
                        body=b"",
                        event_count=len(rows) + rejected,
                        accepted=len(rows),
                        rejected=rejected,
                        rejection_types=types,
                        processed_at=now,
                    )
                )
            Journal.objects.bulk_create(entries, batch_size=500)
            for day, entry in zip(ordered, entries, strict=True):
                total += store.events_insert(
                    sandbox=is_sandbox,
                    system_id=system_id,
                    journal_id=entry.pk,
                    received_at=entry.received_at,
                    columns=store.columns_of(days[day]),
                )
    return total
