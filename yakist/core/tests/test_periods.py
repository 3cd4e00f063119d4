"""Quarters and years in Kyiv time (docs/architecture.md, "Time")."""

import datetime as dt

import pytest
from django.utils import translation

from yakist.core.periods import KYIV, Period


def test_quarter_starts_at_kyiv_midnight_in_utc():
    q1 = Period(2026, 1)
    assert q1.start == dt.datetime(2025, 12, 31, 22, 0, tzinfo=dt.UTC)  # UTC+2 in winter
    q3 = Period(2026, 3)
    assert q3.start == dt.datetime(2026, 6, 30, 21, 0, tzinfo=dt.UTC)  # UTC+3 in summer


def test_a_moment_just_after_kyiv_new_year_belongs_to_the_new_year():
    moment = dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC)  # 00:30 on 1 Jan in Kyiv
    assert Period.quarter_of(moment) == Period(2026, 1)
    assert Period.year_of(moment) == Period(2026)


def test_parse_and_navigation():
    assert Period.parse("2026Q4").next() == Period(2027, 1)
    assert Period.parse("2026-q1").previous() == Period(2025, 4)
    assert Period.parse("2026").quarters()[-1] == Period(2026, 4)
    assert Period(2026, 2).last_day == dt.date(2026, 6, 30)
    with pytest.raises(ValueError, match="Невідомий період"):
        Period.parse("2026Q5")


def test_contains_is_half_open():
    q = Period(2026, 2)
    assert q.contains(q.start) and not q.contains(q.end)
    assert q.end.astimezone(KYIV).date() == dt.date(2026, 7, 1)


def test_label_follows_the_active_language():
    with translation.override("uk"):
        assert Period(2026, 3).label == "3 квартал 2026 р."
        assert Period(2026).label == "2026 рік"
    with translation.override("en"):
        assert Period(2026, 3).label == "Q3 2026"
        assert Period(2026).label == "2026"
