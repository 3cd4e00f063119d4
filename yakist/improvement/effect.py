"""The measured effect of a measure: each targeted indicator before and after it, next to the
change of the subject's peers over the same quarters (a difference-in-differences reading,
model rule [effect] of data/improvement/rules.toml)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field

from yakist.core.periods import Period, kyiv_now
from yakist.improvement import rules
from yakist.indicators import selectors as indicators

Z95 = 1.959964


class Verdict:
    EFFECT = "effect"  # better than peers, the interval excludes zero
    WORSE = "worse"
    UNCLEAR = "unclear"  # the interval includes zero: no change told apart from peers'
    NO_DIRECTION = "no_direction"  # an informative indicator (neither higher nor lower better)
    INSUFFICIENT = "insufficient"  # «недостатньо даних»
    PENDING = "pending"  # the "after" quarter has not closed yet


@dataclass
class Figure:
    value: float | None
    low: float | None
    high: float | None
    n: int
    status: str

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.value is not None


@dataclass
class Reading:
    code: str
    name: str
    name_en: str
    unit: str
    direction: str
    before: str
    after: str
    subject_before: Figure | None = None
    subject_after: Figure | None = None
    peers: int = 0
    peers_before: float | None = None
    peers_after: float | None = None
    change: float | None = None
    peer_change: float | None = None
    did: float | None = None
    did_low: float | None = None
    did_high: float | None = None
    verdict: str = Verdict.INSUFFICIENT
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def figure(f: Figure | None):
            return (
                None
                if f is None
                else {
                    "value": f.value,
                    "ci_low": f.low,
                    "ci_high": f.high,
                    "n": f.n,
                    "status": f.status,
                }
            )

        return {
            "indicator": self.code,
            "before": self.before,
            "after": self.after,
            "subject_before": figure(self.subject_before),
            "subject_after": figure(self.subject_after),
            "peers": self.peers,
            "peers_before": _r(self.peers_before),
            "peers_after": _r(self.peers_after),
            "change": _r(self.change),
            "peer_change": _r(self.peer_change),
            "did": _r(self.did),
            "did_low": _r(self.did_low),
            "did_high": _r(self.did_high),
            "verdict": self.verdict,
        }


def _r(value):
    return None if value is None else round(value, 6)


def periods_around(started_on: dt.date, effective_on: dt.date) -> tuple[Period, Period]:
    """Before: the last quarter that ended before the start. After: the first quarter that
    begins on or after the completion (or the start, when there is no completion date)."""
    before = Period.quarter_of(started_on).previous()
    after = Period.quarter_of(effective_on)
    if after.first_day != effective_on:
        after = after.next()
    return before, after


def _figure(result) -> Figure:
    return Figure(result.value, result.ci_low, result.ci_high, result.n, result.status)


def _se(figure: Figure, unit: str, denominator: float | None) -> float | None:
    """A standard error from the stored 95 % interval, else from the share and its count."""
    if figure.low is not None and figure.high is not None:
        return (figure.high - figure.low) / (2 * Z95)
    if unit == "share" and denominator:
        p = min(max(figure.value, 0.0), 1.0)
        return math.sqrt(max(p * (1 - p), 0.25 / denominator) / denominator)
    return None


def _peer_keys(subject_type: str, subject_key: str, period: str) -> list[str] | None:
    """Like with like: a centre's or provider's peer group as the rating forms it (None: every
    subject of the type). The subject itself is not its own peer."""
    if subject_type in ("centre", "provider"):
        own = indicators.rating_of(
            subject_type=subject_type, subject_key=subject_key, period=period
        )
        if own is None:
            return []
        keys = indicators.ratings(
            subject_type=subject_type, period=period, peer_group=own.peer_group
        )
        return [k for k in keys.values_list("subject_key", flat=True) if k != subject_key]
    return None


def reading(measure, code: str, *, today: dt.date | None = None) -> Reading:
    """One targeted indicator's change against its peers' over the measure's quarters."""
    today = today or kyiv_now().date()
    rule = rules.effect()
    before, after = periods_around(measure.started_on, measure.effective_on)
    definition = indicators.definitions_in_force(before.first_day).filter(code=code).first()
    found = Reading(
        code=code,
        name=definition.name if definition else code,
        name_en=definition.name_en if definition else code,
        unit=definition.unit if definition else "share",
        direction=definition.direction if definition else "neutral",
        before=before.code,
        after=after.code,
    )
    if definition is None:
        found.reasons.append("no_definition")
        return found
    if after.last_day >= today:
        found.verdict = Verdict.PENDING
        return found
    rb, ra = (_subject_result(measure, code, period) for period in (before, after))
    found.subject_before = _figure(rb) if rb else None
    found.subject_after = _figure(ra) if ra else None
    if not (
        found.subject_before
        and found.subject_before.ok
        and found.subject_after
        and found.subject_after.ok
    ):
        found.reasons.append("subject")
        return found
    peer_se = _peers_compare(found, measure, code, before, after, int(rule["min_peers"]))
    if peer_se is None:
        return found
    se_before = _se(found.subject_before, found.unit, rb.denominator)
    se_after = _se(found.subject_after, found.unit, ra.denominator)
    if se_before is None or se_after is None:
        found.reasons.append("interval")
        return found
    _did_judge(
        found, definition.direction, Z95 * math.sqrt(se_before**2 + se_after**2 + peer_se**2)
    )
    return found


def _subject_result(measure, code: str, period: Period):
    return indicators.current_results(
        subject_type=measure.subject_type,
        subject_key=measure.subject_key,
        period=period.code,
        indicator_code=code,
    ).first()


def _peers_compare(
    found: Reading, measure, code: str, before: Period, after: Period, min_peers: int
) -> float | None:
    """The peers' mean change over the same quarters (into `found`) and its standard error;
    None when too few peers have a figure in both."""
    keys = _peer_keys(measure.subject_type, measure.subject_key, before.code)
    peer_values = {}
    for period in (before, after):
        rows = (
            indicators.peer_results(
                indicator_code=code,
                subject_type=measure.subject_type,
                period=period.code,
                keys=keys,
            )
            .filter(status="ok")
            .exclude(subject_key=measure.subject_key)
        )
        peer_values[period.code] = dict(rows.values_list("subject_key", "value"))
    common = sorted(set(peer_values[before.code]) & set(peer_values[after.code]))
    found.peers = len(common)
    if len(common) < min_peers:
        found.reasons.append("peers")
        return None
    changes = [peer_values[after.code][k] - peer_values[before.code][k] for k in common]
    found.peers_before = statistics.fmean(peer_values[before.code][k] for k in common)
    found.peers_after = statistics.fmean(peer_values[after.code][k] for k in common)
    found.peer_change = statistics.fmean(changes)
    return statistics.stdev(changes) / math.sqrt(len(changes)) if len(changes) > 1 else 0.0


def _did_judge(found: Reading, direction: str, half: float) -> None:
    """The difference in differences, its 95 % interval (± `half`) and the verdict."""
    found.change = found.subject_after.value - found.subject_before.value
    found.did = found.change - found.peer_change
    found.did_low, found.did_high = found.did - half, found.did + half
    if direction == "higher_better":
        better, worse = found.did_low > 0, found.did_high < 0
    elif direction == "lower_better":
        better, worse = found.did_high < 0, found.did_low > 0
    else:
        found.verdict = Verdict.NO_DIRECTION
        return
    found.verdict = Verdict.EFFECT if better else Verdict.WORSE if worse else Verdict.UNCLEAR


def readings(measure, *, today: dt.date | None = None) -> list[Reading]:
    return [reading(measure, code, today=today) for code in measure.indicators]


def shows_effect(measure, *, today: dt.date | None = None) -> bool:
    return any(r.verdict == Verdict.EFFECT for r in readings(measure, today=today))
