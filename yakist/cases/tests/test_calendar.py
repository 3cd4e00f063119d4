"""The working-day calendar and legal deadlines: holidays, transfers, the martial-law regime,
weekends, suspensions and Kyiv's daylight-saving changes — by example and by property."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from yakist.cases.calendar import (
    CALENDAR_DIR,
    HOLIDAYS_FILE,
    RULE_CARRY_OVER,
    RULE_HOLIDAYS_OFF,
    RULE_MARTIAL_LAW,
    RULE_WEEKEND,
    DatedDay,
    Regime,
    WorkingCalendar,
    holidays_from_package,
    read_days,
    ua_calendar,
)
from yakist.cases.deadlines import Term, deadline_compute
from yakist.core.periods import KYIV

D = dt.date
CAL = ua_calendar()


def kyiv(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KYIV)


def due_local(received: dt.datetime, value: int | None, unit: str, suspensions=()):
    deadline = deadline_compute(
        received_at=received, term=Term(value=value, unit=unit), suspensions=list(suspensions)
    )
    return deadline.due_at.astimezone(KYIV)


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (D(2021, 1, 1), False, "Новий рік"),
        (D(2021, 1, 8), False, "перенесено"),
        (D(2021, 1, 16), True, "субота, відпрацювання за перенесенням"),
        (D(2021, 5, 3), False, "свято в неділю переноситься на понеділок"),
        (D(2022, 1, 7), False, "Різдво до воєнного стану"),
        (D(2022, 3, 7), False, "перенесення діє: Закон № 2136-IX набрав чинності 24.03.2022"),
        (D(2022, 3, 8), False, "свято до набрання чинності Законом № 2136-IX"),
        (D(2022, 3, 12), True, "субота, відпрацювання за перенесенням"),
        (D(2022, 4, 25), True, "понеділок після Великодня під час воєнного стану — робочий"),
        (D(2024, 12, 25), True, "Різдво 2024 — робочий день (воєнний стан)"),
        (D(2025, 8, 25), True, "понеділок після Дня незалежності в неділю — робочий"),
        (D(2025, 8, 24), False, "неділя"),
    ],
)
def test_working_days_follow_the_dated_rules(day, working, why):
    assert CAL.is_working_day(day) is working, why


def test_the_martial_law_rule_is_dated_data_not_code():
    holiday = DatedDay(D(2030, 1, 1), "holiday", "Новий рік", "test")
    regimes = [
        Regime(RULE_WEEKEND, D(1991, 1, 1), None, "test"),
        Regime(RULE_HOLIDAYS_OFF, D(1991, 1, 1), None, "test"),
        Regime(RULE_MARTIAL_LAW, D(2030, 1, 1), None, "test"),
    ]
    assert WorkingCalendar(days=[holiday], regimes=regimes).is_working_day(D(2030, 1, 1))
    regimes.pop()
    assert not WorkingCalendar(days=[holiday], regimes=regimes).is_working_day(D(2030, 1, 1))


def test_a_weekend_holiday_gives_the_next_working_day_off_only_in_peacetime():
    easter = DatedDay(D(2027, 5, 2), "holiday", "Великдень (Пасха)", "test")
    labour = DatedDay(D(2027, 5, 1), "holiday", "День праці", "test")
    peace = [
        Regime(RULE_WEEKEND, D(1991, 1, 1), None, "test"),
        Regime(RULE_HOLIDAYS_OFF, D(1991, 1, 1), None, "test"),
        Regime(RULE_CARRY_OVER, D(1991, 1, 1), None, "test"),
    ]
    calendar = WorkingCalendar(days=[labour, easter], regimes=peace)
    assert not calendar.is_working_day(D(2027, 5, 3)) and not calendar.is_working_day(D(2027, 5, 4))
    assert calendar.is_working_day(D(2027, 5, 5))
    war = [*peace, Regime(RULE_MARTIAL_LAW, D(2022, 3, 24), None, "test")]
    calendar = WorkingCalendar(days=[labour, easter], regimes=war)
    assert calendar.is_working_day(D(2027, 5, 3)) and calendar.is_working_day(D(2027, 5, 4))


def check(*args) -> list[str]:
    out = io.StringIO()
    call_command("calendar", "check", *args, stdout=out)
    return out.getvalue().splitlines()


def test_calendar_check_after_martial_law_lists_the_carried_days_off_with_their_rule():
    lines = check("2027", "--martial-law-until", "2026-12-31")
    by_day = {line.split("  ")[0]: line.split("  ", 2)[1:] for line in lines if "  " in line}
    for day in ("2027-05-03", "2027-05-04", "2027-06-21"):
        kind, rule = by_day[day]
        assert kind == "carried_day_off" and "ч. 3 ст. 67" in rule and "322-VIII" in rule
    assert by_day["2027-05-02"][0] == "holiday" and "ст. 73" in by_day["2027-05-02"][1]
    assert lines[-1] == f"Робочих днів у 2027 році: {working_days_2027(martial=False)}"


def test_calendar_check_under_martial_law_lists_them_as_working_days_with_law_2136():
    lines = check("2027")
    by_day = {line.split("  ")[0]: line.split("  ", 2)[1:] for line in lines if "  " in line}
    for day in ("2027-05-03", "2027-05-04", "2027-06-21"):
        kind, rule = by_day[day]
        assert kind == "working_day" and "ч. 6 ст. 6" in rule and "2136-IX" in rule
    assert lines[-1] == f"Робочих днів у 2027 році: {working_days_2027(martial=True)}"


def working_days_2027(*, martial: bool) -> int:
    weekdays = sum(1 for n in range(365) if (D(2027, 1, 1) + dt.timedelta(n)).weekday() < 5)
    # Weekday holidays: 1.01, 8.03, 28.06, 15.07, 24.08, 1.10; carried: 3.05, 4.05, 10.05,
    # 21.06, 27.12.
    return weekdays if martial else weekdays - 6 - 5


@pytest.mark.parametrize(
    ("until", "day"),
    [("2027-12-31", "2028-04-17"), ("2027-12-31", "2028-10-02"), ("2027-12-31", "2028-01-03")],
)
def test_2028_carried_days_off_after_martial_law(until, day):
    lines = check("2028", "--martial-law-until", until)
    assert any(line.startswith(f"{day}  carried_day_off  ") for line in lines)


def test_calendar_check_refuses_a_year_outside_the_data():
    with pytest.raises(CommandError):
        check("1990")


def test_the_holiday_file_matches_the_holidays_package():
    """data/calendar/ua-holidays.csv is generated by `yakist calendar export`; an upgrade of
    the package that changes a date must show up here for review."""
    stored = {(d.day, d.kind, d.name) for d in read_days(CALENDAR_DIR / HOLIDAYS_FILE)}
    generated = {(d.day, d.kind, d.name) for d in holidays_from_package(2019, 2035)}
    assert stored == generated


def test_working_days_across_new_year_holidays_and_a_transfer():
    # Received Wed 30.12.2020; 31.12 is day 1; 1.01 holiday; 2–3.01 weekend; 4–6.01 days 2–4;
    # 7.01 Christmas; 8.01 transferred day off; 9–10.01 weekend; 11.01 is day 5.
    assert due_local(kyiv(2020, 12, 30, 11, 0), 5, "working_days") == kyiv(2021, 1, 11, 23, 59, 59)


def test_working_days_under_martial_law_count_public_holidays():
    # Received Mon 23.12.2024; Christmas 25.12 is a working day since 2022.
    assert due_local(kyiv(2024, 12, 23, 9, 0), 3, "working_days") == kyiv(2024, 12, 26, 23, 59, 59)


def test_working_days_skip_weekends():
    assert due_local(kyiv(2025, 11, 14, 16, 0), 1, "working_days") == kyiv(2025, 11, 17, 23, 59, 59)


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day():
    # 10 calendar days from Thu 22.04.2021 end on Sun 2.05.2021 (Easter); 3.05 and 4.05 are
    # days off too (observed Labour Day and Easter): the term ends on Wed 5.05.2021.
    assert due_local(kyiv(2021, 4, 22, 10, 0), 10, "calendar_days") == kyiv(2021, 5, 5, 23, 59, 59)
    # The same span in 2025 ends on a Saturday and moves to Monday only.
    assert due_local(kyiv(2025, 4, 24, 10, 0), 10, "calendar_days") == kyiv(2025, 5, 5, 23, 59, 59)


def test_suspended_working_days_are_excluded():
    received = kyiv(2025, 11, 3, 10, 0)  # Monday
    plain = due_local(received, 10, "working_days")
    assert plain == kyiv(2025, 11, 17, 23, 59, 59)
    # Suspended Wed 5.11 14:00 – Mon 10.11 09:00: the ends of Wed, Thu, Fri (and the weekend)
    # found it suspended, so three working days do not count.
    suspended = [(kyiv(2025, 11, 5, 14, 0), kyiv(2025, 11, 10, 9, 0))]
    assert due_local(received, 10, "working_days", suspended) == kyiv(2025, 11, 20, 23, 59, 59)


def test_a_suspension_within_one_day_does_not_move_a_deadline_in_days():
    received = kyiv(2025, 11, 3, 10, 0)
    same_day = [(kyiv(2025, 11, 4, 9, 0), kyiv(2025, 11, 4, 17, 0))]
    assert due_local(received, 10, "working_days", same_day) == due_local(
        received, 10, "working_days"
    )


def test_hours_run_on_working_days_only():
    # Fri 14.11.2025 10:00 + 24 h: 14 h on Friday, the weekend does not count, 10 h on Monday.
    assert due_local(kyiv(2025, 11, 14, 10, 0), 24, "hours") == kyiv(2025, 11, 17, 10, 0)


def test_hours_across_the_spring_dst_weekend():
    # Fri 28.03.2025 15:00 EET + 24 h: 9 h on Friday; clocks go forward on Sunday, a day off;
    # 15 h on Monday end at 15:00 EEST.
    assert due_local(kyiv(2025, 3, 28, 15, 0), 24, "hours") == kyiv(2025, 3, 31, 15, 0)


def test_hours_across_the_autumn_dst_weekend():
    # Fri 24.10.2025 15:00 EEST + 72 h: 9 + 24 (Mon) + 24 (Tue) + 15 h: Wed 29.10 15:00 EET.
    assert due_local(kyiv(2025, 10, 24, 15, 0), 72, "hours") == kyiv(2025, 10, 29, 15, 0)


def test_hours_that_use_up_a_working_day_end_at_its_last_second():
    assert due_local(kyiv(2025, 11, 14, 0, 0), 24, "hours") == kyiv(2025, 11, 14, 23, 59, 59)


def test_hours_received_on_a_day_off_start_on_the_next_working_day():
    assert due_local(kyiv(2025, 11, 15, 10, 0), 2, "hours") == kyiv(2025, 11, 17, 2, 0)


def test_hours_exclude_suspended_time():
    received = kyiv(2025, 11, 11, 9, 0)  # Tuesday
    paused = [(kyiv(2025, 11, 11, 10, 0), kyiv(2025, 11, 11, 13, 0))]
    assert due_local(received, 6, "hours", paused) == kyiv(2025, 11, 11, 18, 0)


def test_on_visit_ends_the_same_day_or_the_next_working_day():
    assert due_local(kyiv(2025, 11, 12, 10, 0), None, "on_visit") == kyiv(2025, 11, 12, 23, 59, 59)
    assert due_local(kyiv(2025, 11, 15, 10, 0), None, "on_visit") == kyiv(2025, 11, 17, 23, 59, 59)


@pytest.mark.parametrize("day", [D(2025, 3, 28), D(2025, 3, 31), D(2025, 10, 24), D(2025, 10, 27)])
def test_a_deadline_in_days_ends_at_local_midnight_on_both_sides_of_dst(day):
    received = dt.datetime.combine(day, dt.time(12, 0), tzinfo=KYIV)
    due = due_local(received, 1, "working_days")
    assert due.time() == dt.time(23, 59, 59)
    assert (due + dt.timedelta(seconds=1)).astimezone(KYIV).time() == dt.time(0, 0)


days = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=dt.UTC)
)
terms = st.one_of(
    st.builds(
        Term, value=st.integers(1, 90), unit=st.sampled_from(["working_days", "calendar_days"])
    ),
    st.builds(Term, value=st.integers(1, 240), unit=st.just("hours")),
    st.just(Term(value=None, unit="on_visit")),
)


@given(days, st.integers(1, 60))
def test_the_nth_working_day_is_a_working_day_n_working_days_later(day, count):
    result = CAL.add_working_days(day, count)
    assert result > day
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(day, result) == count


@given(days, st.integers(1, 60), st.integers(1, 60))
def test_more_working_days_never_end_earlier(day, first, second):
    low, high = sorted((first, second))
    assert CAL.add_working_days(day, low) <= CAL.add_working_days(day, high)


@given(days)
def test_the_next_working_day_skips_only_days_off(day):
    result = CAL.next_working_day(day)
    assert CAL.is_working_day(result)
    probe = day
    while probe < result:
        assert not CAL.is_working_day(probe)
        probe += dt.timedelta(days=1)


@settings(max_examples=400)
@given(moments, terms)
def test_a_deadline_never_falls_on_a_day_off_and_never_before_receipt(received, term):
    due = deadline_compute(received_at=received, term=term, suspensions=[]).due_at
    assert due >= received
    assert CAL.is_working_day(due.astimezone(KYIV).date())


@settings(max_examples=400)
@given(
    moments,
    terms,
    st.floats(0, 30),
    st.floats(0, 20),
)
def test_a_suspension_never_brings_a_deadline_forward(received, term, after_days, for_days):
    start = received + dt.timedelta(days=after_days)
    end = start + dt.timedelta(days=for_days)
    plain = deadline_compute(received_at=received, term=term, suspensions=[]).due_at
    paused = deadline_compute(received_at=received, term=term, suspensions=[(start, end)]).due_at
    assert paused >= plain
