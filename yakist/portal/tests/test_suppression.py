"""Hole 12 of the security review: a hidden small cell must not be derivable from what is
published next to it. Hypothesis builds random tables in the shapes a snapshot publishes (an
indicator's whole row with its slices by channel and by service, two partitions of the same
cases; satisfaction answers by level), suppresses them as a publication does, then plays the
attacker: every group total minus its visible slices, solved across groups until nothing more
follows. The test fails if any hidden value comes out."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakist.portal import snapshot

DEFINITION = SimpleNamespace(
    code="timeliness",
    name="Дотримання строків",
    name_en="Timeliness",
    unit="share",
    direction="higher_better",
    min_sample=10,
    basis={"kind": "model", "rationale": "тест"},
)
CONTEXT = SimpleNamespace(applicant_codes={"timeliness", "satisfaction"}, distributions={})
SUBJECT = SimpleNamespace(type="region")
CHANNELS = ("centre", "online", "mail", "phone")


def result(breakdown: str, numerator: int, n: int, extra: dict | None = None) -> dict:
    enough = n >= DEFINITION.min_sample
    return {
        "breakdown": breakdown,
        "value": numerator / n if enough else None,
        "numerator": numerator,
        "denominator": n,
        "n": n,
        "ci_low": None,
        "ci_high": None,
        "extra": extra or {},
        "status": "ok" if enough else "insufficient",
        "revision": 1,
        "definition__version": 1,
        "definition__methodology__code": "M1",
    }


def table(cases: list[tuple[int, int, bool]]) -> tuple[list[dict], dict]:
    """The engine's rows for these cases (channel, service, on time), and the true counts."""
    truth: dict[str, tuple[int, int]] = {}

    def add(label: str, on_time: bool) -> None:
        n, numerator = truth.get(label, (0, 0))
        truth[label] = (n + 1, numerator + on_time)

    for channel, service, on_time in cases:
        add("", on_time)
        add(f"channel:{CHANNELS[channel]}", on_time)
        add(f"service:S{service:02d}", on_time)
    rows = [result(label, numerator, n) for label, (n, numerator) in truth.items()]
    return rows, truth


def published(rows: list[dict]) -> dict:
    return snapshot._entry(DEFINITION, rows, subject=SUBJECT, peers={}, context=CONTEXT)


def attack(entry: dict) -> dict[tuple[str, str], float]:
    """Everything subtraction gives away: per group (channels, services) the whole's n,
    numerator and complement minus the visible slices'; per row n = numerator + complement;
    repeated until nothing new follows. A slice exists, so its n is at least 1: hidden
    slices whose cases add up to their number are each 1, and hidden parts adding up to 0
    are each 0."""
    rows = {"": entry, **{row["breakdown"]: row for row in entry["breakdowns"]}}
    known: dict[tuple[str, str], float] = {}
    for label, row in rows.items():
        if row["status"] != "suppressed":
            known[(label, "n")] = row["n"]
            known[(label, "numerator")] = row["numerator"]
            known[(label, "late")] = row["n"] - row["numerator"]
    groups: dict[str, list[str]] = {}
    for label in rows:
        if label:
            groups.setdefault(label.partition(":")[0], []).append(label)
    equations = [((label, "n"), [(label, "numerator"), (label, "late")]) for label in rows] + [
        (("", measure), [(label, measure) for label in members])
        for members in groups.values()
        for measure in ("n", "numerator", "late")
    ]

    def lower(variable) -> int:
        return 1 if variable[1] == "n" else 0

    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            unknown = [v for v in [total, *parts] if v not in known]
            if not unknown:
                continue
            if len(unknown) == 1:
                variable = unknown[0]
                if variable == total:
                    known[total] = sum(known[p] for p in parts)
                else:
                    known[variable] = known[total] - sum(known[p] for p in parts if p in known)
                changed = True
            elif total in known:
                left = known[total] - sum(known[p] for p in parts if p in known)
                if round(left, 6) == sum(lower(v) for v in unknown):
                    known.update({v: lower(v) for v in unknown})
                    changed = True
    return known


def hidden_values(entry: dict, truth: dict) -> dict[tuple[str, str], float]:
    rows = {"": entry, **{row["breakdown"]: row for row in entry["breakdowns"]}}
    hidden = {}
    for label, row in rows.items():
        if row["status"] == "suppressed":
            n, numerator = truth[label]
            hidden.update(
                {(label, "n"): n, (label, "numerator"): numerator, (label, "late"): n - numerator}
            )
    return hidden


def follows_from_the_total(variable, entry: dict, truth: dict) -> bool:
    """What the published whole row says by itself is no disclosure by the slices: a group
    of one slice is the whole, and a whole numerator (or complement) of 0 makes every part 0."""
    label, measure = variable
    prefix = label.partition(":")[0]
    siblings = [row for row in entry["breakdowns"] if row["breakdown"].startswith(prefix + ":")]
    if len(siblings) == 1:
        return True
    n, numerator = truth[""]
    whole = {"n": n, "numerator": numerator, "late": n - numerator}
    return entry["status"] != "suppressed" and measure != "n" and whole[measure] == 0


cases_strategy = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 9), st.booleans()), min_size=1, max_size=80
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases_strategy)
def test_hole_12_no_hidden_slice_can_be_derived_by_subtraction(cases):
    rows, truth = table(cases)
    entry = published(rows)
    found = attack(entry)
    hidden = hidden_values(entry, truth)
    for variable, value in found.items():
        if variable in hidden:
            assert round(value, 6) == hidden[variable]  # the attacker is right when it answers
    leaks = {
        variable: hidden[variable]
        for variable in found
        if variable in hidden and not follows_from_the_total(variable, entry, truth)
    }
    assert not leaks, (leaks, entry)


def test_hole_12_one_small_channel_hides_its_smallest_sibling_too():
    cases = [(0, 0, True)] * 40 + [(1, 0, True)] * 12 + [(2, 0, False)] * 2
    entry = published(table(cases)[0])
    status = {row["breakdown"]: row["status"] for row in entry["breakdowns"]}
    assert status["channel:mail"] == "suppressed"  # 2 cases: the primary rule
    assert status["channel:online"] == "suppressed"  # 12 cases: else mail = 54 - 40 - 12
    assert status["channel:centre"] == "ok"
    assert entry["n"] == 54 and entry["status"] == "ok"


def test_hole_12_hidden_slices_adding_up_to_a_small_count_hide_more():
    """Two small services of 1 and 2 cases add up to 3: a small cell again."""
    cases = [(0, 0, True)] * 30 + [(0, 1, True)] * 8 + [(0, 2, True)] + [(0, 3, False)] * 2
    entry = published(table(cases)[0])
    hidden = {row["breakdown"] for row in entry["breakdowns"] if row["status"] == "suppressed"}
    assert {"service:S02", "service:S03", "service:S01"} <= hidden
    assert "service:S00" not in hidden


def test_hole_12_as_many_hidden_slices_as_cases_hide_the_whole():
    """Six services with one case each: every slice hidden, yet each is 1 by the count of
    hidden slices, so the whole goes too."""
    entry = published(table([(0, service, True) for service in range(6)])[0])
    assert entry["status"] == "suppressed" and entry["n"] is None
    assert all(row["status"] == "suppressed" for row in entry["breakdowns"])


def satisfaction(levels: dict[str, int]) -> dict:
    n = sum(levels.values())
    extra = {"levels": levels, "mean": round(sum(int(k) * v for k, v in levels.items()) / n, 3)}
    return result("", levels["3"] + levels["4"], n, extra)


def level_candidates(entry: dict):
    """Every split of the answers into levels that agrees with what is published."""
    levels, n = entry["extra"].get("levels"), entry["n"]
    mean = entry["extra"].get("mean")
    for split in itertools.product(range(n + 1), repeat=3):
        counts = (*split, n - sum(split))
        if counts[3] < 0 or counts[2] + counts[3] != entry["numerator"]:
            continue
        if any(levels[str(i + 1)] not in (None, counts[i]) for i in range(4)):
            continue
        weighted = sum((i + 1) * c for i, c in enumerate(counts))
        if mean is not None and round(weighted / n, 3) != mean:
            continue
        yield counts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=4, max_size=4).filter(lambda c: sum(c) >= 5))
def test_hole_12_no_hidden_satisfaction_level_can_be_derived(counts):
    levels = {str(i + 1): count for i, count in enumerate(counts)}
    entry = published([satisfaction(levels)])
    shown = entry["extra"]["levels"]
    assert all(shown[k] is None for k, v in levels.items() if 0 < v < snapshot.SMALL_CELL)
    candidates = list(level_candidates(entry))
    assert tuple(counts) in candidates
    for index in range(4):
        if shown[str(index + 1)] is None:
            assert len({c[index] for c in candidates}) > 1, (levels, entry["extra"])
