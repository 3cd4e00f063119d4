"""Computing a period: results stored by revision, ratings ranked, dirty marks cleared."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.core.periods import Period
from yakist.core.problems import Problem
from yakist.indicators import engine, inputs, rating
from yakist.indicators.enums import SubjectType
from yakist.indicators.models import (
    DirtyPeriod,
    IndicatorDefinition,
    IndicatorResult,
    MethodologyVersion,
    RatingResult,
)
from yakist.indicators.selectors import methodology_at
from yakist.indicators.signals import results_refreshed

# The whole country's subject key (as in results); a mark for it asks for a full computation.
NATION_KEY = ""
RESULT_FIELDS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high", "extra", "status")


class NoMethodology(Problem):
    slug = "no-methodology"
    status = 409
    title = gettext_lazy("Немає чинної методики")
    description = gettext_lazy("Для цього періоду не завантажено жодної версії методики.")


@dataclass
class ComputeReport:
    period: str
    methodology: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    ratings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def period_methodology(
    period: Period, methodology: MethodologyVersion | None
) -> MethodologyVersion:
    """A period is computed under the methodology in force on its first day, unless asked."""
    found = methodology or methodology_at(period.first_day)
    if found is None:
        raise NoMethodology(_("Для періоду %(p)s немає чинної методики.") % {"p": period.code})
    return found


def indicators_compute(
    *,
    period: Period,
    methodology: MethodologyVersion | None = None,
    centre_ids: set[int] | None = None,
    provider_ids: set[int] | None = None,
) -> ComputeReport:
    """Compute every indicator of `period`; with centre/provider ids, only what they touch."""
    methodology = period_methodology(period, methodology)
    report = ComputeReport(period=period.code, methodology=methodology.code)
    started = time.perf_counter()
    inputs.cube_rebuild(period, centre_ids=centre_ids, provider_ids=provider_ids)
    report.seconds["cube"] = time.perf_counter() - started
    ctx = engine.Context(
        period=period,
        definitions={d.code: d for d in methodology.definitions.all()},
        centres=inputs.centres(),
        providers=inputs.providers(),
        dirty_centres=centre_ids,
        dirty_providers=provider_ids,
    )
    rows = engine.compute_rows(ctx)
    report.seconds["compute"] = time.perf_counter() - started - report.seconds["cube"]
    with transaction.atomic():
        _store(ctx, rows, report)
        report.ratings = ratings_compute(period=period, methodology=methodology)
        _marks_clear(ctx)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _marks_clear(ctx: engine.Context) -> None:
    """A full run covers whatever was marked for its period; an incremental one (from the
    refresh, or asked for directly) the marks of the subjects it recomputed."""
    marks = DirtyPeriod.objects.filter(period=ctx.period.code)
    if ctx.incremental:
        centres, providers = ctx.dirty_codes()
        marks = marks.filter(
            Q(subject_type=SubjectType.CENTRE, subject_key__in=centres)
            | Q(subject_type=SubjectType.PROVIDER, subject_key__in=providers)
        )
    marks.delete()


def _store(ctx: engine.Context, rows: list[engine.Row], report: ComputeReport) -> None:
    """Same definition: refresh in place (a provisional figure). Another definition: the old
    row stays, marked not current, and the new one becomes revision + 1."""
    now = timezone.now()
    # Plain tuples, not model instances: a period has tens of thousands of current figures.
    columns = ("pk", "definition_id", "revision", *RESULT_FIELDS)
    current = {
        tuple(values[:4]): _Stored(*values[4:])
        for values in IndicatorResult.objects.filter(
            period=ctx.period.code, is_current=True
        ).values_list("indicator_code", "subject_type", "subject_key", "breakdown", *columns)
    }
    to_create: list[tuple] = []
    to_replace: list[int] = []
    to_retire: list[int] = []
    for row in rows:
        definition = ctx.definitions[row.indicator]
        existing = current.get(row.key)
        if ctx.incremental and existing is not None and row.subject_type in engine.AGGREGATE_LEVELS:
            # Medians of aggregates need the whole period; the incremental run keeps the last
            # full run's and says so, the next full run refreshes them.
            kept = {k: v for k, v in existing.extra.items() if k.endswith("_ratio")}
            if kept and not any(k.endswith("_ratio") for k in row.extra):
                row.extra = {**row.extra, **kept, "quantiles_from_full_run": True}
        values = {name: getattr(row, name) for name in RESULT_FIELDS}
        if existing is not None and existing.definition_id == definition.pk:
            if all(_same(getattr(existing, k), v) for k, v in values.items()):
                report.unchanged += 1
                continue
            # A provisional figure of the same definition is refreshed: replaced in place.
            to_replace.append(existing.pk)
            revision = existing.revision
        else:
            revision = 1
            if existing is not None:
                to_retire.append(existing.pk)
                revision = existing.revision + 1
        to_create.append(
            (
                definition.pk,
                row.indicator,
                row.subject_type,
                row.subject_key,
                ctx.period.code,
                row.breakdown,
                row.value,
                row.numerator,
                row.denominator,
                row.n,
                row.ci_low,
                row.ci_high,
                json.dumps(row.extra, ensure_ascii=False),
                row.status,
                revision,
                True,
                now,
            )
        )
    # Set-based writes: Django's bulk_update builds one CASE per row and per field, which is
    # slower than deleting and inserting the same rows.
    for chunk in _chunks(to_replace, 5000):
        IndicatorResult.objects.filter(pk__in=chunk).delete()
    for chunk in _chunks(to_retire, 5000):
        IndicatorResult.objects.filter(pk__in=chunk).update(is_current=False)
    _insert_results(to_create)
    report.created = len(to_create) - len(to_replace)
    report.updated, report.superseded = len(to_replace), len(to_retire)


INSERT_COLUMNS = (
    "definition_id",
    "indicator_code",
    "subject_type",
    "subject_key",
    "period",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "n",
    "ci_low",
    "ci_high",
    "extra",
    "status",
    "revision",
    "is_current",
    "computed_at",
)


def _insert_results(rows: list[tuple]) -> None:
    """A plain multi-row INSERT: a period has tens of thousands of figures, and building a model
    instance for each costs more than writing it."""
    table = IndicatorResult._meta.db_table
    placeholders = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 500):
            sql = (
                f"INSERT INTO {table} ({', '.join(INSERT_COLUMNS)}) VALUES "  # noqa: S608
                + ", ".join([placeholders] * len(chunk))
            )
            cursor.execute(sql, [value for row in chunk for value in row])


class _Stored:
    """A current figure as read for comparison."""

    __slots__ = ("definition_id", "extra_fields", "pk", "revision")

    def __init__(self, pk, definition_id, revision, *fields) -> None:
        self.pk, self.definition_id, self.revision = pk, definition_id, revision
        self.extra_fields = dict(zip(RESULT_FIELDS, fields, strict=True))

    def __getattr__(self, name):
        try:
            return self.extra_fields[name]
        except KeyError as error:
            raise AttributeError(name) from error


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same(old, new) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) < 1e-12
    return old == new


def ratings_compute(*, period: Period, methodology: MethodologyVersion) -> int:
    """Rank centres and providers of a period from its current results."""
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    weight_bases: dict[tuple[str, str], dict] = {}
    for weight in methodology.weights.all():
        weights[weight.subject_type][weight.indicator_code] = float(weight.weight)
        weight_bases[(weight.subject_type, weight.indicator_code)] = weight.basis
    definitions = {d.code: d for d in methodology.definitions.all()}
    results: dict[tuple[str, str], dict[str, IndicatorResult]] = defaultdict(dict)
    wanted = {code for per_type in weights.values() for code in per_type}
    for result in IndicatorResult.objects.filter(
        period=period.code,
        breakdown="",
        is_current=True,
        indicator_code__in=wanted,
        subject_type__in=[SubjectType.CENTRE, SubjectType.PROVIDER],
    ).select_related("definition"):
        results[(result.subject_type, result.subject_key)][result.indicator_code] = result
    groups: dict[tuple[str, str], list[rating.Scored]] = defaultdict(list)
    for subject_type, key, group in _rated_subjects():
        components = []
        for code, weight in weights.get(subject_type, {}).items():
            result = results.get((subject_type, key), {}).get(code)
            definition = definitions[code]
            components.append(
                rating.Component(
                    indicator=code,
                    weight=weight,
                    value=result.value if result else None,
                    low=result.ci_low if result else None,
                    high=result.ci_high if result else None,
                    unit=definition.unit,
                    direction=definition.direction,
                    status=result.status if result else "no_data",
                    n=result.n if result else 0,
                    numerator=result.numerator if result else None,
                    denominator=result.denominator if result else None,
                    definition_version=result.definition.version if result else definition.version,
                    extra=result.extra if result else {},
                )
            )
        if components:
            scored = rating.score_subject(key, group, components)
            for part in scored.components:
                # Each published weight names its basis (act | draft | model).
                part["basis"] = weight_bases.get((subject_type, part["indicator"]), {})
            groups[(subject_type, group)].append(scored)
    previous = _previous_places(period)
    current = {
        (r.subject_type, r.subject_key): r
        for r in RatingResult.objects.filter(period=period.code, is_current=True)
    }
    now = timezone.now()
    to_create, to_replace, to_retire = [], [], []
    for (subject_type, group), entries in groups.items():
        rating.rank_group(entries)
        rating.rank_intervals(
            entries, seed=f"{methodology.code}|{period.code}|{subject_type}|{group}"
        )
        ordered = sorted(round(e.score, 1) for e in entries if e.score is not None)
        for entry in entries:
            entry.movers = rating.rank_movers(entry, entries, ordered)
        for entry in entries:
            entry.movement = _movement(
                entry.rank, entry.peer_group, previous.get((subject_type, entry.subject_key))
            )
            existing = current.get((subject_type, entry.subject_key))
            revision = 1
            if existing is not None and existing.methodology_id == methodology.pk:
                if _same_rating(existing, entry):
                    continue  # recomputing with the same inputs leaves the shown row as it was
                to_replace.append(existing.pk)
                revision = existing.revision
            elif existing is not None:
                to_retire.append(existing.pk)
                revision = existing.revision + 1
            to_create.append(
                RatingResult(
                    methodology=methodology,
                    subject_type=subject_type,
                    subject_key=entry.subject_key,
                    period=period.code,
                    revision=revision,
                    is_current=True,
                    computed_at=now,
                    peer_group=entry.peer_group,
                    score=entry.score,
                    score_low=entry.low,
                    score_high=entry.high,
                    rank=entry.rank,
                    rank_of=entry.rank_of,
                    rank_low=entry.rank_low,
                    rank_high=entry.rank_high,
                    movers=entry.movers,
                    movement=entry.movement,
                    status=entry.status,
                    components=entry.components,
                )
            )
    for chunk in _chunks(to_replace, 5000):
        RatingResult.objects.filter(pk__in=chunk).delete()
    for chunk in _chunks(to_retire, 5000):
        RatingResult.objects.filter(pk__in=chunk).update(is_current=False)
    RatingResult.objects.bulk_create(to_create, batch_size=2000)
    _movement_fill(period.next())
    return len(to_create)


def _same_rating(existing: RatingResult, entry: rating.Scored) -> bool:
    stored = (
        existing.peer_group,
        existing.score,
        existing.score_low,
        existing.score_high,
        existing.rank,
        existing.rank_of,
        existing.rank_low,
        existing.rank_high,
        existing.movers,
        existing.movement,
        existing.status,
        existing.components,
    )
    fresh = (
        entry.peer_group,
        entry.score,
        entry.low,
        entry.high,
        entry.rank,
        entry.rank_of,
        entry.rank_low,
        entry.rank_high,
        json.loads(json.dumps(entry.movers)),
        entry.movement,
        entry.status,
        json.loads(json.dumps(entry.components)),  # as the JSON column gives it back
    )
    return stored == fresh


def _previous_places(period: Period) -> dict[tuple[str, str], tuple[int | None, str]]:
    """(subject type, key) -> (rank, peer group) in the period before `period`."""
    return {
        (subject_type, key): (rank, group)
        for subject_type, key, rank, group in RatingResult.objects.filter(
            period=period.previous().code, is_current=True
        ).values_list("subject_type", "subject_key", "rank", "peer_group")
    }


def _movement(rank: int | None, group: str, previous: tuple[int | None, str] | None) -> int | None:
    """Places gained since the previous period, only within the same peer group."""
    if previous is None or previous[1] != group:
        return None
    return rating.movement(rank, previous[0])


def _movement_fill(period: Period) -> None:
    """A later period computed first (backfill, demo) has no movement yet: fill it in once the
    period before it is ranked. A movement already shown is never changed."""
    later = list(
        RatingResult.objects.filter(
            period=period.code, is_current=True, movement__isnull=True, rank__isnull=False
        ).only("pk", "subject_type", "subject_key", "rank", "peer_group", "movement")
    )
    if not later:
        return
    previous = _previous_places(period)
    changed = []
    for entry in later:
        entry.movement = _movement(
            entry.rank, entry.peer_group, previous.get((entry.subject_type, entry.subject_key))
        )
        if entry.movement is not None:
            changed.append(entry)
    RatingResult.objects.bulk_update(changed, ["movement"], batch_size=2000)


def _rated_subjects():
    """(subject type, key, peer group) of every active main centre and territorial provider."""
    from yakist.registry.enums import Status
    from yakist.registry.models.reference import Centre, Organisation

    for code, population in Centre.objects.filter(
        kind=Centre.Kind.CENTRE, status=Status.ACTIVE
    ).values_list("code", "population_served"):
        yield SubjectType.CENTRE, code, rating.centre_peer_group(population)
    for code, parent_code in Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, parent__isnull=False, status=Status.ACTIVE
    ).values_list("code", "parent__code"):
        yield SubjectType.PROVIDER, code, f"provider-{parent_code}"


def dirty_mark(*, period_codes: set[str], centre_ids: set[int], provider_ids: set[int]) -> int:
    """Remember what new inputs touched: every centre and provider in every period given."""
    return dirty_mark_each(
        centres={(pk, code) for pk in centre_ids for code in period_codes},
        providers={(pk, code) for pk in provider_ids for code in period_codes},
    )


def dirty_mark_each(
    *, centres: Iterable[tuple[int, str]] = (), providers: Iterable[tuple[int, str]] = ()
) -> int:
    """Mark exactly the (centre id, period code) and (provider id, period code) pairs given, in
    a few set-based statements whatever their number; `indicators_refresh` recomputes them
    (and their hromadas, regions and the nation). An access point counts with its main centre.
    A period never computed gets one mark for the whole country instead: its first
    computation (a full one, by the refresh) reads every input, e.g. a new quarter's first
    events. Returns how many marks were added."""
    from yakist.registry.models.reference import Centre, Organisation

    centre_pairs, provider_pairs = set(centres), set(providers)
    touched = {code for _, code in centre_pairs | provider_pairs}
    computed = _computed_periods(touched)
    first_time = [
        DirtyPeriod(subject_type=SubjectType.NATION, subject_key=NATION_KEY, period=code)
        for code in sorted(touched - computed)
    ]
    if not computed:
        DirtyPeriod.objects.bulk_create(first_time, ignore_conflicts=True)
        return len(first_time)
    centre_pairs = {(pk, code) for pk, code in centre_pairs if code in computed}
    provider_pairs = {(pk, code) for pk, code in provider_pairs if code in computed}
    # The main centre's code: an access point's inputs count in its main centre's figures.
    centre_codes = dict(
        Centre.objects.filter(pk__in={pk for pk, _ in centre_pairs}).values_list(
            "pk", Coalesce("parent__code", "code")
        )
    )
    provider_codes = dict(
        Organisation.objects.filter(pk__in={pk for pk, _ in provider_pairs}).values_list(
            "pk", "code"
        )
    )
    wanted = {
        (SubjectType.CENTRE.value, centre_codes[pk], code)
        for pk, code in centre_pairs
        if pk in centre_codes
    } | {
        (SubjectType.PROVIDER.value, provider_codes[pk], code)
        for pk, code in provider_pairs
        if pk in provider_codes
    }
    # Most marks of a busy period exist already: insert only the new ones.
    existing = set(
        DirtyPeriod.objects.filter(period__in=computed).values_list(
            "subject_type", "subject_key", "period"
        )
    )
    added = wanted - existing
    DirtyPeriod.objects.bulk_create(
        [DirtyPeriod(subject_type=t, subject_key=k, period=p) for t, k, p in added] + first_time,
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(added) + len(first_time)


def _computed_periods(codes: set[str]) -> set[str]:
    """The periods among `codes` that have figures (an index lookup per period)."""
    if not codes:
        return set()
    indicators = list(IndicatorDefinition.objects.values_list("code", flat=True).distinct())
    return {
        code
        for code in codes
        if IndicatorResult.objects.filter(indicator_code__in=indicators, period=code).exists()
    }


def indicators_refresh() -> list[ComputeReport]:
    """Recompute the (subject, period) pairs marked dirty, one incremental run per period."""
    from yakist.registry.models.reference import Centre, Organisation

    marks = list(DirtyPeriod.objects.all())
    by_period: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for mark in marks:
        by_period[mark.period][mark.subject_type].add(mark.subject_key)
    reports = []
    for code, subjects in sorted(by_period.items()):
        period = Period.parse(code)
        if methodology_at(period.first_day) is None:
            continue
        if subjects[SubjectType.NATION]:  # first figures of the period: compute it whole
            reports.append(indicators_compute(period=period))
            continue
        centre_ids = set(
            Centre.objects.filter(code__in=subjects["centre"]).values_list("pk", flat=True)
        )
        provider_ids = set(
            Organisation.objects.filter(code__in=subjects["provider"]).values_list("pk", flat=True)
        )
        reports.append(
            indicators_compute(period=period, centre_ids=centre_ids, provider_ids=provider_ids)
        )
    DirtyPeriod.objects.filter(pk__in=[m.pk for m in marks]).delete()
    if reports:
        results_refreshed.send(sender=indicators_refresh, periods=[r.period for r in reports])
    return reports


def periods_touched(moments: Iterable[dt.datetime]) -> set[str]:
    """The quarter and year codes that instants fall in (for dirty marks)."""
    return {code for moment in moments for code in periods_of(moment)}


def periods_of(moment: dt.datetime) -> tuple[str, str]:
    """The codes of the Kyiv quarter and year an instant falls in."""
    quarter = Period.quarter_of(moment)
    return quarter.code, str(quarter.year)


def periods_of_quarter(code: str) -> tuple[str, str]:
    """A quarter's code and its year's."""
    return code, str(Period.parse(code).year)
