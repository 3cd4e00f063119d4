"""Problems found in the data without anyone typing them (model rule [detection] of
data/improvement/rules.toml), run after the indicators' refresh. A problem already open under
the same detection key is not added again (a partial unique index guarantees it)."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.utils.translation import gettext as _

from yakist.accounts.scope import Scope
from yakist.core.periods import Period, kyiv_now
from yakist.improvement import rules
from yakist.improvement.models import Problem
from yakist.indicators import selectors as indicators
from yakist.registry.models.reference import Centre, Organisation, Territory

INTERNAL = Scope(role=None, superuser=True)  # detection reads aggregates of the whole country


def _percentile(ordered: list[float], p: float) -> float:
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


class _Subjects:
    """Registry facts of the subjects a detection names (one query per kind)."""

    def __init__(self) -> None:
        self.centres = {
            code: (pk, name, region)
            for pk, code, name, region in Centre.objects.filter(parent__isnull=True).values_list(
                "pk", "code", "name", "region_id"
            )
        }
        self.providers = {
            code: (pk, name, region)
            for pk, code, name, region in Organisation.objects.values_list(
                "pk", "code", "name", "region_id"
            )
        }
        self.regions = dict(
            Territory.objects.filter(category__in=Territory.TOP_LEVEL).values_list("code", "name")
        )

    def fields(self, subject_type: str, key: str) -> dict | None:
        if subject_type == "centre" and key in self.centres:
            pk, name, region = self.centres[key]
            return {
                "centre_id": pk,
                "organisation_id": None,
                "region_id": region,
                "subject_name": name,
            }
        if subject_type == "provider" and key in self.providers:
            pk, name, region = self.providers[key]
            return {
                "centre_id": None,
                "organisation_id": pk,
                "region_id": region,
                "subject_name": name,
            }
        if subject_type == "region" and key in self.regions:
            return {
                "centre_id": None,
                "organisation_id": None,
                "region_id": key,
                "subject_name": self.regions[key],
            }
        return None


def _candidate(
    subjects, *, kind, subject_type, key, title, indicator="", item="", period, evidence, owner=None
):
    fields = subjects.fields(subject_type, key)
    if fields is None:
        return None
    return Problem(
        kind=kind,
        subject_type=subject_type,
        subject_key=key,
        title=title[:300],
        indicator_code=indicator,
        period=period,
        evidence=evidence,
        detection_key=":".join(filter(None, [kind, subject_type, key, indicator, item]))[:160],
        owner=owner or fields["subject_name"],
        **fields,
    )


def _names(period: Period) -> dict[str, object]:
    return {d.code: d for d in indicators.definitions_in_force(period.first_day)}


def outliers(period: Period, subjects: _Subjects) -> list[Problem]:
    """A figure whose whole interval lies on the worse side of its peer group's 10–90 range."""
    rule = rules.detection()
    definitions = _names(period)
    found = []
    for subject_type in ("centre", "provider"):
        groups = dict(
            indicators.ratings(subject_type=subject_type, period=period.code).values_list(
                "subject_key", "peer_group"
            )
        )
        for code in rule["outlier_indicators"]:
            definition = definitions.get(code)
            if definition is None or subject_type not in definition.subjects:
                continue
            by_group = defaultdict(list)
            for result in indicators.peer_results(
                indicator_code=code, subject_type=subject_type, period=period.code
            ).filter(status="ok"):
                by_group[groups.get(result.subject_key, "all")].append(result)
            for group, results in by_group.items():
                if len(results) < int(rule["outlier_min_peers"]):
                    continue
                ordered = sorted(r.value for r in results)
                low = _percentile(ordered, rule["outlier_low_percentile"])
                high = _percentile(ordered, rule["outlier_high_percentile"])
                for r in results:
                    top = r.ci_high if r.ci_high is not None else r.value
                    bottom = r.ci_low if r.ci_low is not None else r.value
                    worse = (definition.direction == "higher_better" and top < low) or (
                        definition.direction == "lower_better" and bottom > high
                    )
                    if not worse:
                        continue
                    problem = _candidate(
                        subjects,
                        kind=Problem.Kind.OUTLIER,
                        subject_type=subject_type,
                        key=r.subject_key,
                        indicator=code,
                        period=period.code,
                        title=_("«%(i)s» поза межами групи порівняння (%(p)s)")
                        % {"i": definition.name, "p": period.code},
                        evidence={
                            "value": r.value,
                            "ci_low": r.ci_low,
                            "ci_high": r.ci_high,
                            "n": r.n,
                            "peer_group": group,
                            "peers": len(ordered),
                            "peer_p10": low,
                            "peer_p90": high,
                        },
                    )
                    if problem:
                        found.append(problem)
    return found


def silent(period: Period, subjects: _Subjects, today) -> list[Problem]:
    """A connected centre whose systems sent not one case in a closed quarter."""
    if not period.is_quarter or period.last_day >= today:
        return []
    found = []
    for result in indicators.peer_results(
        indicator_code="coverage", subject_type="centre", period=period.code
    ):
        if (result.extra or {}).get("silent"):
            problem = _candidate(
                subjects,
                kind=Problem.Kind.SILENT,
                subject_type="centre",
                key=result.subject_key,
                period=period.code,
                title=_("Підключена система не передала жодної справи за %(p)s")
                % {"p": period.code},
                evidence={"coverage_extra": result.extra},
            )
            if problem:
                found.append(problem)
    return found


def refusal_jumps(period: Period, subjects: _Subjects) -> list[Problem]:
    rule = rules.detection()
    previous = period.previous()
    found = []
    for subject_type in ("centre", "provider"):
        before = {
            r.subject_key: r
            for r in indicators.peer_results(
                indicator_code="refusal_share", subject_type=subject_type, period=previous.code
            ).filter(status="ok")
        }
        for r in indicators.peer_results(
            indicator_code="refusal_share", subject_type=subject_type, period=period.code
        ).filter(status="ok"):
            old = before.get(r.subject_key)
            if old is None or r.value - old.value < float(rule["refusal_jump"]):
                continue
            if r.ci_low is None or old.ci_high is None or r.ci_low <= old.ci_high:
                continue
            problem = _candidate(
                subjects,
                kind=Problem.Kind.REFUSAL_JUMP,
                subject_type=subject_type,
                key=r.subject_key,
                indicator="refusal_share",
                period=period.code,
                title=_("Частка відмов зросла з %(a).0f %% до %(b).0f %% (%(p)s)")
                % {"a": 100 * old.value, "b": 100 * r.value, "p": period.code},
                evidence={
                    "before": {
                        "period": previous.code,
                        "value": old.value,
                        "ci_low": old.ci_low,
                        "ci_high": old.ci_high,
                    },
                    "after": {
                        "period": period.code,
                        "value": r.value,
                        "ci_low": r.ci_low,
                        "ci_high": r.ci_high,
                    },
                },
            )
            if problem:
                found.append(problem)
    return found


def _no(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return not value
    return str(value).strip().lower() in {"false", "no", "ні", "0"}


def checklist_failures(period: Period, subjects: _Subjects) -> list[Problem]:
    """A checklist item that at least half (and at least N) of a region's reporting centres fail."""
    if not period.is_quarter:
        return []
    from yakist.statmon.selectors import accepted_values

    rule = rules.detection()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (assessed, failing)
    for report in accepted_values(INTERNAL, period=period.code):
        for code, value in report["values"].items():
            if not (code.startswith("OFF.") or code.startswith("ONL.")):
                continue
            failing = _no(value)
            if failing is None:
                continue
            cell = counts[(report["region"], code)]
            cell[0] += 1
            cell[1] += failing
    found = []
    for (region, item), (assessed, failing) in sorted(counts.items()):
        if assessed < int(rule["checklist_min_centres"]) or failing / assessed < float(
            rule["checklist_failing_share"]
        ):
            continue
        problem = _candidate(
            subjects,
            kind=Problem.Kind.CHECKLIST,
            subject_type="region",
            key=region,
            item=item,
            period=period.code,
            title=_("Вимогу %(i)s не виконують %(f)s з %(a)s центрів регіону (%(p)s)")
            % {"i": item, "f": failing, "a": assessed, "p": period.code},
            evidence={"item": item, "assessed": assessed, "failing": failing},
            owner=_("Регіональний координатор: %(r)s")
            % {"r": subjects.regions.get(region, region)},
        )
        if problem:
            found.append(problem)
    return found


def problems_detect(*, periods: list[str], today=None) -> int:
    """Detect every kind for the periods given; returns how many problems were added."""
    today = today or kyiv_now().date()
    subjects = _Subjects()
    candidates: dict[str, Problem] = {}
    for code in periods:
        period = Period.parse(code)
        for problem in (
            outliers(period, subjects)
            + silent(period, subjects, today)
            + refusal_jumps(period, subjects)
            + checklist_failures(period, subjects)
        ):
            candidates.setdefault(problem.detection_key, problem)
    if not candidates:
        return 0
    open_keys = set(
        Problem.objects.filter(
            status__in=Problem.OPEN, detection_key__in=list(candidates)
        ).values_list("detection_key", flat=True)
    )
    new = [p for key, p in candidates.items() if key not in open_keys]
    # ignore_conflicts: a concurrent refresh that added the same key first wins.
    Problem.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)
