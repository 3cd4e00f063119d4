"""The methodology engine: from inputs to indicator results, for one period.

Each calculator turns rolled-up counts into result rows for every subject level; the store
step writes them so that a figure computed under one definition is never overwritten by a
figure of another (a new revision is added instead).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from yakist.core.periods import Period
from yakist.indicators import histograms, inputs
from yakist.indicators.models import IndicatorDefinition
from yakist.indicators.stats import loyalty_index, loyalty_interval, wilson_interval

LEVELS = ("centre", "provider", "hromada", "region", "nation")
AGGREGATE_LEVELS = ("hromada", "region", "nation")


@dataclass
class Row:
    indicator: str
    subject_type: str
    subject_key: str
    breakdown: str = ""
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int = 0
    ci_low: float | None = None
    ci_high: float | None = None
    extra: dict = field(default_factory=dict)
    status: str = "ok"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.subject_type, self.subject_key, self.breakdown)


@dataclass
class Context:
    """What the calculators of one period share: definitions, subjects and cached inputs."""

    period: Period
    definitions: dict[str, IndicatorDefinition]
    centres: dict[int, inputs.CentreInfo]
    providers: dict[int, tuple[str, int | None]]
    # Incremental run: only these main centres / providers changed (None = everything).
    dirty_centres: set[int] | None = None
    dirty_providers: set[int] | None = None
    _cache: dict = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        return self.dirty_centres is not None or self.dirty_providers is not None

    def cached(self, name: str, load: Callable[[], object]):
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    def subjects_of_centre(self, centre_id: int | None) -> list[tuple[str, str]]:
        if centre_id is None or centre_id not in self.centres:
            return [("nation", "")]
        info = self.centres[centre_id]
        subjects = [("centre", info.code), ("region", info.region), ("nation", "")]
        if info.hromada:
            subjects.append(("hromada", info.hromada))
        return subjects

    def wanted(self, subject_type: str, subject_key: str) -> bool:
        """In an incremental run, centre and provider rows are written only for touched ones."""
        if not self.incremental:
            return True
        if subject_type == "centre":
            return subject_key in self._dirty_centre_codes
        if subject_type == "provider":
            return subject_key in self._dirty_provider_codes
        if subject_type == "hromada":
            return subject_key in self.dirty_areas[0]
        if subject_type == "region":
            return subject_key in self.dirty_areas[1]
        return True

    def dirty_codes(self) -> tuple[set[str], set[str]]:
        """Codes of the centres and providers an incremental run recomputes."""
        return self._dirty_centre_codes, self._dirty_provider_codes

    @property
    def dirty_areas(self) -> tuple[set[str], set[str]]:
        """Hromadas and regions whose figures new inputs can change: those of the touched
        centres, and the regions of touched providers (cases applied for online)."""

        def build():
            centres = [self.centres[i] for i in (self.dirty_centres or set()) if i in self.centres]
            hromadas = {c.hromada for c in centres if c.hromada}
            regions = {c.region for c in centres}
            regions |= set(inputs.provider_regions(self.dirty_providers or set()).values())
            return hromadas, regions - {None}

        return self.cached("dirty_areas", build)

    @property
    def _dirty_centre_codes(self) -> set[str]:
        return self.cached(
            "dirty_centre_codes",
            lambda: {
                self.centres[i].code for i in (self.dirty_centres or set()) if i in self.centres
            },
        )

    @property
    def _dirty_provider_codes(self) -> set[str]:
        return self.cached(
            "dirty_provider_codes",
            lambda: {
                self.providers[i][0] for i in (self.dirty_providers or set()) if i in self.providers
            },
        )


# --- Roll-ups of case counts --------------------------------------------------------------------


def _subject_key(ctx: Context, level: str, ident) -> str | None:
    """A subject's code from the id a roll-up groups by (None: not a monitoring subject)."""
    if level == "centre":
        info = ctx.centres.get(ident)
        return info.code if info else None
    if level == "provider":
        provider = ctx.providers.get(ident)
        return provider[0] if provider else None
    return ident or ""


def case_buckets(ctx: Context) -> dict[tuple[str, str, str], dict[str, int]]:
    """{(level, subject key, breakdown): counts}: every level and channel from the cube, and
    per service (region, nation) the timeliness counts of the finished cases."""

    def build():
        buckets: dict[tuple[str, str, str], dict[str, int]] = {}
        for level, ident, channel, counts in inputs.cube_rollup(ctx.period):
            key = _subject_key(ctx, level, ident)
            if key is None:
                continue
            breakdown = f"channel:{channel}" if channel is not None else ""
            buckets[(level, key, breakdown)] = dict(zip(inputs.CASE_COUNTS, counts, strict=True))
        for (level, ident, service), (done, on_time) in inputs.service_slices(ctx.period).items():
            counts = dict.fromkeys(inputs.CASE_COUNTS, 0)
            counts.update(done_with_term=done, on_time=on_time)
            buckets[(level, ident or "", f"service:{service}")] = counts
        return buckets

    return ctx.cached("case_buckets", build)


def finished(ctx: Context) -> inputs.FinishedStats:
    """Medians and P90s per subject: exact from every finished case in a full run; in an
    incremental run, those of the touched subjects and their hromadas, regions and the nation
    from the duration histograms (within half a bucket, yakist.indicators.histograms). The
    per-service slices are counts: `inputs.service_slices`, kept like the cube."""

    def load():
        if ctx.incremental:
            return inputs.FinishedStats(_binned_quantiles(ctx))
        return inputs.finished_stats(ctx.period, list(LEVELS))

    return ctx.cached("finished", load)


def _binned_quantiles(ctx: Context) -> dict[tuple[str, object], dict[str, float]]:
    hromadas, regions = ctx.dirty_areas
    buckets = histograms.histograms_read(
        ctx.period.code,
        {
            "centre": [str(pk) for pk in ctx.dirty_centres or ()],
            "provider": [str(pk) for pk in ctx.dirty_providers or ()],
            "hromada": hromadas,
            "region": regions,
            "nation": [""],
        },
    )
    return {
        (level, int(key) if level in ("centre", "provider") else key): values
        for (level, key), values in histograms.histogram_quantiles(buckets).items()
    }


def quantiles(ctx: Context) -> dict[tuple[str, object], dict[str, float]]:
    def load():
        keyed = {}
        for (level, ident), values in finished(ctx).quantiles.items():
            key = _subject_key(ctx, level, ident)
            if key is not None:
                keyed[(level, key)] = values
        return keyed

    return ctx.cached("quantiles", load)


def _share_rows(
    ctx: Context,
    code: str,
    numerator: str,
    denominator: str,
    extra: Callable[[str, str, str], dict] | None = None,
    *,
    slices: bool = False,
) -> list[Row]:
    """One row per subject (and per channel/service slice when `slices`); empty slices skipped."""
    rows = []
    for (level, key, breakdown), counts in case_buckets(ctx).items():
        if level not in ctx.definitions[code].subjects or not ctx.wanted(level, key):
            continue
        if breakdown and (not slices or counts[denominator] == 0):
            continue
        rows.append(
            share_row(
                ctx,
                code,
                level,
                key,
                breakdown,
                counts[numerator],
                counts[denominator],
                extra(level, key, breakdown) if extra else {},
            )
        )
    return rows


def share_row(
    ctx: Context,
    code: str,
    level: str,
    key: str,
    breakdown: str,
    numerator: float,
    denominator: float,
    extra: dict | None = None,
) -> Row:
    """A share with its Wilson interval, or 'insufficient'/'no data' below the minimum."""
    definition = ctx.definitions[code]
    row = Row(
        code,
        level,
        key,
        breakdown,
        numerator=numerator,
        denominator=denominator,
        n=int(denominator),
        extra=extra or {},
    )
    if denominator <= 0:
        row.status = "no_data"
    elif denominator < definition.min_sample:
        row.status = "insufficient"
    else:
        row.value = numerator / denominator
        row.ci_low, row.ci_high = wilson_interval(numerator, denominator)
    return row


# --- Calculators ---------------------------------------------------------------------------------


def calc_timeliness(ctx: Context) -> list[Row]:
    def extra(level: str, key: str, breakdown: str) -> dict:
        if breakdown:
            return {}
        found = quantiles(ctx).get((level, key))
        if not found or not found["n"]:
            return {}
        figures = {"median_ratio": round(found["median"], 4), "p90_ratio": round(found["p90"], 4)}
        if ctx.incremental:
            figures["quantiles_binned"] = True  # within half a bucket until the next full run
        return figures

    return _share_rows(ctx, "timeliness", "on_time", "done_with_term", extra, slices=True)


def calc_refusal_share(ctx: Context) -> list[Row]:
    rows = []
    for (level, key, breakdown), counts in case_buckets(ctx).items():
        if breakdown or level not in ctx.definitions["refusal_share"].subjects:
            continue
        if not ctx.wanted(level, key):
            continue
        decided = counts["refused"] + counts["issued"]
        rows.append(
            share_row(ctx, "refusal_share", level, key, breakdown, counts["refused"], decided)
        )
    return rows


def calc_online_share(ctx: Context) -> list[Row]:
    return _share_rows(ctx, "online_share", "online", "received")


def external_counts(definition: IndicatorDefinition) -> bool:
    """The methodology's rule on external assessments (model rule, data/improvement/rules.toml):
    "separate" keeps their answers out of the indicator, "pooled" counts them in."""
    return definition.params.get("external_surveys", "pooled") == "pooled"


def survey_buckets(ctx: Context, *, external: bool = True) -> dict[tuple[str, str], dict[str, int]]:
    def build():
        buckets: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in inputs.survey_counts(ctx.period, external=external):
            for level, key in ctx.subjects_of_centre(row["main_centre_id"]):
                bucket = buckets[(level, key)]
                for name, value in row.items():
                    if name != "main_centre_id":
                        bucket[name] += value or 0
        return buckets

    return ctx.cached(f"survey_buckets:{external}", build)


def calc_satisfaction(ctx: Context) -> list[Row]:
    definition = ctx.definitions["satisfaction"]
    rows = []
    for (level, key), counts in survey_buckets(ctx, external=external_counts(definition)).items():
        if level not in definition.subjects or not ctx.wanted(level, key):
            continue
        answered = counts["answered"]
        levels = {str(i): counts[f"level{i}"] for i in range(1, 5)}
        extra = {"levels": levels}
        if answered:
            extra["mean"] = round(counts["overall_sum"] / answered, 3)
        rows.append(
            share_row(
                ctx,
                "satisfaction",
                level,
                key,
                "",
                counts["level3"] + counts["level4"],
                answered,
                extra,
            )
        )
    return rows


def calc_loyalty(ctx: Context) -> list[Row]:
    """Survey scores (centres) and ratings sent with case events (centres and providers)."""
    definition = ctx.definitions["loyalty_index"]
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (level, key, breakdown), counts in case_buckets(ctx).items():
        if breakdown == "":
            totals[(level, key)]["n"] += counts["rated"]
            totals[(level, key)]["promoters"] += counts["promoters"]
            totals[(level, key)]["detractors"] += counts["detractors"]
    for (level, key), counts in survey_buckets(ctx, external=external_counts(definition)).items():
        totals[(level, key)]["n"] += counts["scored"]
        totals[(level, key)]["promoters"] += counts["promoters"]
        totals[(level, key)]["detractors"] += counts["detractors"]
    rows = []
    for (level, key), t in totals.items():
        if level not in definition.subjects or not ctx.wanted(level, key):
            continue
        n, promoters, detractors = t["n"], t["promoters"], t["detractors"]
        row = Row(
            "loyalty_index",
            level,
            key,
            n=n,
            numerator=promoters - detractors,
            denominator=n,
            extra={
                "promoters": promoters,
                "detractors": detractors,
                "passives": n - promoters - detractors,
            },
        )
        if n == 0:
            row.status = "no_data"
        elif n < definition.min_sample:
            row.status = "insufficient"
        else:
            row.value = loyalty_index(promoters, detractors, n)
            row.ci_low, row.ci_high = loyalty_interval(promoters, detractors, n)
        rows.append(row)
    return rows


def _is_yes(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "yes", "так", "1"}


def calc_checklist_share(ctx: Context, code: str) -> list[Row]:
    """Met items over assessed items of accepted reports; a centre's access points count with it."""
    definition = ctx.definitions[code]
    prefix = definition.params["prefix"]
    reports = ctx.cached("reports", lambda: inputs.accepted_report_values(ctx.period))
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    main_of = ctx.cached("main_of", lambda: _main_centres(ctx))
    for report in reports:
        items = {k: _is_yes(v) for k, v in report["values"].items() if k.startswith(prefix)}
        assessed = [v for v in items.values() if v is not None]
        if not assessed:
            continue
        main_id = main_of.get(report["centre_id"], report["centre_id"])
        for level, key in ctx.subjects_of_centre(main_id):
            totals[(level, key)]["met"] += sum(assessed)
            totals[(level, key)]["assessed"] += len(assessed)
            totals[(level, key)]["reports"] += 1
    rows = []
    for (level, key), t in totals.items():
        if level not in definition.subjects or not ctx.wanted(level, key):
            continue
        row = share_row(
            ctx, code, level, key, "", t["met"], t["assessed"], {"reports": t["reports"]}
        )
        # The sample of a checklist is its reports, not its items.
        row.n = t["reports"]
        if row.status == "insufficient" and t["reports"] >= definition.min_sample:
            row.status = "ok"
            row.value = t["met"] / t["assessed"]
        row.ci_low = row.ci_high = None
        rows.append(row)
    return rows


def _main_centres(ctx: Context) -> dict[int, int]:
    from yakist.registry.models.reference import Centre

    return dict(Centre.objects.filter(parent__isnull=False).values_list("pk", "parent_id"))


def calc_coverage(ctx: Context) -> list[Row]:
    """Cases sent by connected systems relative to the applications the centre reported."""
    definition = ctx.definitions["coverage"]
    connected = ctx.cached("connected", inputs.connected_centre_ids)
    uploading = ctx.cached("uploading", inputs.uploading_centre_ids)
    notified = ctx.cached("notified", inputs.notified_centres)
    main_of = ctx.cached("main_of", lambda: _main_centres(ctx))
    reported: dict[int, float] = defaultdict(float)
    for report in ctx.cached("reports", lambda: inputs.accepted_report_values(ctx.period)):
        applications = report["values"].get("SRV.APPLICATIONS")
        if isinstance(applications, (int, float)):
            reported[main_of.get(report["centre_id"], report["centre_id"])] += applications
    received = {
        key: counts["received"]
        for (level, key, b), counts in case_buckets(ctx).items()
        if level == "centre" and b == ""
    }
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = []
    for centre_id, info in ctx.centres.items():
        if info.kind != "centre":
            continue
        cases = received.get(info.code, 0)
        is_connected = centre_id in connected
        # Not connected, but its cases come in uploaded files: they count, marked "upload".
        is_uploading = centre_id in uploading and not is_connected
        has_report = centre_id in reported
        for level, key in ctx.subjects_of_centre(centre_id):
            bucket = totals[(level, key)]
            bucket["centres"] += 1
            bucket["connected"] += is_connected
            bucket["uploading"] += is_uploading
            bucket["notified"] += centre_id in notified and not is_connected
            bucket["reported"] += has_report
            # Connected, yet not one case in the period: a system gone silent.
            bucket["silent"] += is_connected and cases == 0
            if level == "centre" and centre_id in notified:
                bucket["notified_on"] = notified[centre_id]
            if (is_connected or is_uploading) and has_report and reported[centre_id] > 0:
                bucket["cases"] += min(cases, reported[centre_id])
                bucket["applications"] += reported[centre_id]
                bucket["n"] += 1
    for (level, key), t in totals.items():
        if level not in definition.subjects or not ctx.wanted(level, key):
            continue
        extra = {
            "centres": int(t["centres"]),
            "connected": int(t["connected"]),
            "with_report": int(t["reported"]),
            "silent": int(t["silent"]),
            "uploading": int(t["uploading"]),
            "notified": int(t["notified"]),
        }
        if t.get("notified_on"):
            extra["notified_on"] = t["notified_on"]
        row = Row(
            "coverage",
            level,
            key,
            numerator=t["cases"],
            denominator=t["applications"],
            n=int(t["n"]),
            extra=extra,
        )
        if level == "centre" and t["uploading"]:
            row.extra["source"] = "upload"
        if level == "centre" and not t["connected"] and not t["uploading"]:
            row.status, row.extra["reason"] = "no_data", "not_connected"
        elif level == "centre" and not t["reported"]:
            row.status, row.extra["reason"] = "no_data", "no_report"
        elif t["n"] < definition.min_sample or not t["applications"]:
            row.status = "no_data"
        else:
            row.value = t["cases"] / t["applications"]
        rows.append(row)
    return rows


CALCULATORS: dict[str, Callable[[Context, str], Iterable[Row]]] = {
    "timeliness": lambda ctx, code: calc_timeliness(ctx),
    "refusal_share": lambda ctx, code: calc_refusal_share(ctx),
    "online_share": lambda ctx, code: calc_online_share(ctx),
    "satisfaction_share": lambda ctx, code: calc_satisfaction(ctx),
    "loyalty": lambda ctx, code: calc_loyalty(ctx),
    "checklist_share": calc_checklist_share,
    "coverage": lambda ctx, code: calc_coverage(ctx),
}


def compute_rows(ctx: Context) -> list[Row]:
    """Every result row of the period, dependencies first; an explicit "no data" row for each
    expected subject that had no input at all."""
    rows: list[Row] = []
    expected = inputs.expected_subjects(ctx.centres)
    for code in _dependency_order(ctx.definitions):
        definition = ctx.definitions[code]
        computed = list(CALCULATORS[definition.params["calculator"]](ctx, code))
        present = {(row.subject_type, row.subject_key) for row in computed if not row.breakdown}
        for subject_type in definition.subjects:
            for key in expected.get(subject_type, ()):
                if (subject_type, key) not in present and ctx.wanted(subject_type, key):
                    computed.append(Row(code, subject_type, key, status="no_data"))
        rows.extend(computed)
    _mark_uploaded(ctx, rows)
    return rows


def _mark_uploaded(ctx: Context, rows: list[Row]) -> None:
    """A centre's case figures that come from uploaded files say so (source "upload")."""
    uploading = ctx.cached("uploading", inputs.uploading_centre_ids) - ctx.cached(
        "connected", inputs.connected_centre_ids
    )
    codes = {ctx.centres[pk].code for pk in uploading if pk in ctx.centres}
    if not codes:
        return
    from_cases = {
        code for code, definition in ctx.definitions.items() if "cases" in definition.inputs
    }
    for row in rows:
        if (
            row.subject_type == "centre"
            and row.subject_key in codes
            and row.indicator in from_cases
            and row.status != "no_data"
        ):
            row.extra["source"] = "upload"


def _dependency_order(definitions: dict[str, IndicatorDefinition]) -> list[str]:
    ordered: list[str] = []

    def visit(code: str) -> None:
        if code in ordered:
            return
        for dependency in definitions[code].params.get("depends_on", []):
            visit(dependency)
        ordered.append(code)

    for code in sorted(definitions):
        visit(code)
    return ordered
