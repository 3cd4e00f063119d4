"""The content of a publication: canonical JSON of a subject's results, its peers'
distribution, its rating with the explanation, data coverage, and what is missing.

Small cells of indicators about applicants (cases, ratings) are suppressed here, before
anything is published, and so are the same counts among a rating's inputs: public pages,
content.json and open data carry the same (safe) figures.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from yakist.core.periods import Period
from yakist.portal import sources
from yakist.portal.sources import Subject

SCHEMA_VERSION = 1
# Counts below this in a slice could point to a person (an applicant of a rare service).
SMALL_CELL = 5
COVERAGE = "coverage"
# Indicators whose counts are applicants' cases or ratings: only these can point to a person.
# Checklist shares of the static monitoring and the data coverage count reports and centres.
APPLICANT_INPUTS = {"cases", "feedback"}


@dataclass
class Snapshot:
    subject: Subject
    period: Period
    content: dict
    missing: list[str]

    @cached_property
    def text(self) -> str:
        return canonical_json(self.content)

    @cached_property
    def hash(self) -> str:
        return content_hash(self.text)


def canonical_json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _num(value):
    return None if value is None else round(float(value), 6)


def _is_small(count) -> bool:
    return count is not None and 0 < count < SMALL_CELL


def about_applicants(definition) -> bool:
    """Whether an indicator's counts are of applicants (and so subject to suppression)."""
    return definition.code != COVERAGE and bool(APPLICANT_INPUTS & set(definition.inputs or []))


SUPPRESSED = {
    "value": None,
    "numerator": None,
    "denominator": None,
    "n": None,
    "ci_low": None,
    "ci_high": None,
    "extra": {},
    "status": "suppressed",
}


def _small_row(row: dict, *, breakdown: bool) -> bool:
    """The primary rule: a count below SMALL_CELL (and, in a slice, a numerator too)."""
    return _is_small(row.get("n")) or (breakdown and _is_small(row.get("numerator")))


def suppress(row: dict, *, breakdown: bool) -> dict:
    """Hide counts below SMALL_CELL and the shares computed from them."""
    return {**row, **SUPPRESSED} if _small_row(row, breakdown=breakdown) else row


def _count(value) -> float:
    return 0.0 if value is None else float(value)


def _revealing(total: dict, cells: list[dict], hidden: set[int], visible: list[int]) -> bool:
    """Whether the hidden slices of a group can be told from the total and the visible ones:
    a single hidden slice is the difference; hidden slices that add up to fewer than
    SMALL_CELL cases (or to their own number: each is 1) or to fewer than SMALL_CELL in the
    numerator are a small cell again; a hidden numerator or its complement that adds up to
    zero says each hidden one is zero."""
    if len(hidden) == 1:
        return True
    left_n = _count(total.get("n")) - sum(_count(cells[i].get("n")) for i in visible)
    if left_n < SMALL_CELL or left_n <= len(hidden):
        return True
    if total.get("numerator") is None:
        return False
    left_numerator = _count(total["numerator"]) - sum(
        _count(cells[i].get("numerator")) for i in visible
    )
    return left_numerator < SMALL_CELL or left_n - left_numerator <= 0


def protect_group(total: dict, cells: list[dict], hidden: set[int]) -> tuple[set[int], bool]:
    """Secondary suppression of one group of slices adding up to `total` (rule in
    docs/publication.md): while the hidden slices can be told by subtraction, hide the
    smallest visible one too. Returns the hidden slices and whether the total must go as
    well: when every slice is hidden and there are as many slices as cases (each is 1)."""
    hidden = set(hidden)
    while hidden:
        visible = sorted(
            (i for i in range(len(cells)) if i not in hidden),
            key=lambda i: (_count(cells[i].get("n")), _count(cells[i].get("numerator")), i),
        )
        if not _revealing(total, cells, hidden, visible):
            break
        if not visible:
            # What is left follows from the published total alone (a single slice is the
            # total; a total of zero makes its parts zero), except the number of cases.
            return hidden, len(hidden) > 1 and _count(total.get("n")) <= len(hidden)
        hidden.add(visible[0])
    return hidden, False


def protect(whole: dict, slices: list[dict]) -> tuple[dict, list[dict]]:
    """An indicator's whole row and its slices (by channel, by service) with small cells
    hidden, and with enough of their siblings hidden that none can be derived back."""
    if _small_row(whole, breakdown=False):
        return {**whole, **SUPPRESSED}, [{**row, **SUPPRESSED} for row in slices]
    hidden = {i for i, row in enumerate(slices) if _small_row(row, breakdown=True)}
    groups: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(slices):
        groups[row["breakdown"].partition(":")[0]].append(index)
    for members in groups.values():
        inside = {position for position, index in enumerate(members) if index in hidden}
        more, whole_too = protect_group(whole, [slices[i] for i in members], inside)
        if whole_too:
            return {**whole, **SUPPRESSED}, [{**row, **SUPPRESSED} for row in slices]
        hidden |= {members[position] for position in more}
    rows = [{**row, **SUPPRESSED} if i in hidden else row for i, row in enumerate(slices)]
    return _protect_levels(whole), rows


# Satisfaction levels 1-4 add up to the answers (n); levels 3 and 4 to the numerator (the
# satisfied), so levels 1 and 2 to n minus the numerator.
LEVEL_PAIRS = (("1", "2"), ("3", "4"))


def _protect_levels(whole: dict) -> dict:
    """Hide small counts of answers by level, the other level of the same pair (the pair's
    sum is published with the share) and the mean (a weighted sum of the levels)."""
    levels = (whole.get("extra") or {}).get("levels")
    if not levels:
        return whole
    shown = dict(levels)
    for pair in LEVEL_PAIRS:
        if any(_is_small(levels.get(level)) for level in pair):
            shown.update(dict.fromkeys(pair))
    if shown == levels:
        return whole
    extra = {key: value for key, value in whole["extra"].items() if key != "mean"}
    return {**whole, "extra": {**extra, "levels": shown}}


def _row(result: dict, *, breakdown: bool) -> dict:
    row = {
        "value": _num(result["value"]),
        "numerator": _num(result["numerator"]),
        "denominator": _num(result["denominator"]),
        "n": result["n"],
        "ci_low": _num(result["ci_low"]),
        "ci_high": _num(result["ci_high"]),
        "extra": {} if breakdown else (result["extra"] or {}),
        "status": result["status"],
    }
    if breakdown:
        row["breakdown"] = result["breakdown"]
    return row


def distribution(values: list[float]) -> dict | None:
    """Peers' spread: quartiles and deciles (inclusive method), with the count."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        deciles, quartiles = [ordered[0]] * 9, [ordered[0]] * 3
    else:
        deciles = statistics.quantiles(ordered, n=10, method="inclusive")
        quartiles = statistics.quantiles(ordered, n=4, method="inclusive")
    return {
        "n": len(ordered),
        "min": _num(ordered[0]),
        "p10": _num(deciles[0]),
        "p25": _num(quartiles[0]),
        "median": _num(quartiles[1]),
        "p75": _num(quartiles[2]),
        "p90": _num(deciles[8]),
        "max": _num(ordered[-1]),
    }


def _share_below(ordered: list[float], value: float | None) -> float | None:
    """Share of peers with a lower value; `ordered` is sorted."""
    if value is None or not ordered:
        return None
    return _num(bisect.bisect_left(ordered, value) / len(ordered))


RATING_COUNTS = ("value", "normalised", "numerator", "denominator", "n", "low", "high")


def _component(component: dict, context: SnapshotContext, hidden: set[str]) -> dict:
    """A rating input, named, with the same counts hidden as for the indicator itself."""
    code = component.get("indicator")
    name, name_en, unit = context.names.get(code, (code, code, "share"))
    named = {**component, "name": name, "name_en": name_en, "unit": unit}
    small = _is_small(component.get("n")) or code in hidden
    if code not in context.applicant_codes or not small:
        return named
    return {**named, **dict.fromkeys(RATING_COUNTS), "contribution": None, "status": "suppressed"}


def _rating(rating, context: SnapshotContext, hidden: set[str] = frozenset()) -> dict | None:
    """`hidden`: indicators whose whole row the snapshot hides (their counts go here too)."""
    if rating is None:
        return None
    return {
        "methodology": rating.methodology.code,
        "peer_group": rating.peer_group,
        "score": _num(rating.score),
        "score_low": _num(rating.score_low),
        "score_high": _num(rating.score_high),
        "rank": rating.rank,
        "rank_of": rating.rank_of,
        # 95 % interval of the place (model rule `rating.rank_interval`) and what moves it.
        "rank_low": rating.rank_low,
        "rank_high": rating.rank_high,
        "movers": rating.movers,
        "movement": rating.movement,
        "status": rating.status,
        "components": [_component(c, context, hidden) for c in rating.components or []],
    }


def _sorted_values(**query) -> dict[str, list[float]]:
    return {code: sorted(values) for code, values in sources.peer_values(**query).items()}


@dataclass(frozen=True)
class SnapshotContext:
    """What is the same for every subject of one build."""

    methodology: object | None
    required: set[str]
    applicant_codes: set[str]
    distributions: dict
    names: dict[str, tuple[str, str, str]]


def _published_definitions(period: Period) -> tuple[list, set[str], list]:
    """What a report of the period shows: the indicators of its periodicity (required) and
    the data coverage, which every report carries whatever its periodicity (the engine
    computes it for quarters and years alike; a year without it is not blocked). Also every
    definition in force, for naming and suppressing a rating's inputs of any periodicity."""
    in_force = sources.definitions_in_force(period)
    periodicity = "quarterly" if period.is_quarter else "yearly"
    required = [d for d in in_force if d.periodicity == periodicity]
    shown = required + [d for d in in_force if d.code == COVERAGE and d not in required]
    return shown, {d.code for d in required}, in_force


def build(*, period: Period, subjects: list[Subject]) -> dict[tuple[str, str], Snapshot]:
    """Snapshots for every subject in one pass (a handful of queries, whatever the count)."""
    definitions, required, in_force = _published_definitions(period)
    types = sorted({s.type for s in subjects})
    keys = None if len(subjects) > 200 else sorted({s.key for s in subjects})
    results = defaultdict(list)
    for result in sources.period_results(period=period, types=types, keys=keys):
        results[(result["subject_type"], result["subject_key"])].append(result)
    ratings = {
        (r.subject_type, r.subject_key): r
        for r in sources.period_ratings(period=period, types=types, keys=keys)
    }
    peers = {
        subject_type: _sorted_values(
            period=period,
            subject_type=subject_type,
            indicator_codes=[d.code for d in definitions if subject_type in d.subjects],
        )
        for subject_type in types
        if subject_type != "nation"
    }
    distributions = {
        (subject_type, code): distribution(values)
        for subject_type, by_code in peers.items()
        for code, values in by_code.items()
    }
    as_of = sources.data_as_of(period=period, types=types, keys=keys)
    context = SnapshotContext(
        methodology=definitions[0].methodology if definitions else None,
        required=required,
        applicant_codes={d.code for d in in_force if about_applicants(d)},
        distributions=distributions,
        names={d.code: (d.name, d.name_en, d.unit) for d in in_force},
    )
    snapshots = {}
    for subject in subjects:
        snapshots[subject.ref] = _snapshot(
            subject=subject,
            period=period,
            definitions=[d for d in definitions if subject.type in d.subjects],
            rows=results.get(subject.ref, []),
            rating=ratings.get(subject.ref),
            peers=peers.get(subject.type, {}),
            as_of=as_of.get(subject.ref),
            context=context,
        )
    # Measures of the period, only where a subject recorded some (other contents keep their hash).
    for ref, measures in sources.period_measures(period=period, refs=set(snapshots)).items():
        snapshots[ref].content["measures"] = measures
    return snapshots


def _entry(definition, code_rows: list[dict], *, subject, peers, context) -> dict | None:
    whole = next((r for r in code_rows if r["breakdown"] == ""), None)
    if whole is None:
        return None
    applicants = definition.code in context.applicant_codes
    entry = {
        "code": definition.code,
        "definition_version": whole["definition__version"],
        "methodology": whole["definition__methodology__code"],
        "name": definition.name,
        "name_en": definition.name_en,
        "unit": definition.unit,
        "direction": definition.direction,
        "min_sample": definition.min_sample,
        # The bases in force when the figure was published (act | draft | model).
        "basis": definition.basis,
        "revision": whole["revision"],
    }
    row = _row(whole, breakdown=False)
    slices = [
        _row(r, breakdown=True)
        for r in sorted(code_rows, key=lambda r: r["breakdown"])
        if r["breakdown"]
    ]
    if applicants:
        row, slices = protect(row, slices)
    entry.update(row)
    entry["breakdowns"] = slices
    if subject.type != "nation":
        entry["peers"] = context.distributions.get((subject.type, definition.code))
        entry["share_of_peers_below"] = _share_below(peers.get(definition.code, []), entry["value"])
    return entry


def _snapshot(*, subject, period, definitions, rows, rating, peers, as_of, context):
    by_code = defaultdict(list)
    for row in rows:
        by_code[row["indicator_code"]].append(row)
    indicators = []
    missing = []
    coverage = None
    methodology = context.methodology
    if methodology is None:
        missing.append("methodology")
    elif not rows:
        missing.append("results")
    for definition in definitions:
        entry = _entry(
            definition,
            by_code.get(definition.code, []),
            subject=subject,
            peers=peers,
            context=context,
        )
        if entry is None:
            if definition.code in context.required:
                missing.append(definition.code)
        elif definition.code == COVERAGE:
            coverage = entry
        else:
            indicators.append(entry)
    content = {
        "schema": SCHEMA_VERSION,
        "subject": {
            "type": subject.type,
            "key": subject.key,
            "name": subject.name,
            "region": subject.region_code,
            "region_name": subject.region_name,
            "hromada": subject.hromada_code,
        },
        "period": period.code,
        "periodicity": "quarterly" if period.is_quarter else "yearly",
        "methodology": None
        if methodology is None
        else {
            "code": methodology.code,
            "title": methodology.title,
            "adopted_by": methodology.adopted_by,
            "effective_from": methodology.effective_from.isoformat(),
        },
        "indicators": indicators,
        "coverage": coverage,
        "rating": _rating(
            rating,
            context,
            {entry["code"] for entry in indicators if entry["status"] == "suppressed"},
        ),
        "data_as_of": as_of.isoformat() if as_of else None,
        "missing": missing,
    }
    return Snapshot(subject=subject, period=period, content=content, missing=missing)
