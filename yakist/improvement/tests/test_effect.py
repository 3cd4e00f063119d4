"""The measured effect of a measure: before/after with intervals and the peer group's change."""

import datetime as dt

import pytest

from yakist.improvement import effect, services
from yakist.improvement.subjects import subject_resolve
from yakist.improvement.tests.conftest import AFTER, put

TODAY = dt.date(2026, 12, 3)


def _measure(user, centre, indicators=("timeliness",), started=AFTER.first_day):
    return services.measure_record(
        actor=user("ministry"),
        subject=subject_resolve(f"centre:{centre.code}"),
        title="Електронна черга",
        responsible_body="Виконавчий комітет",
        started_on=started,
        indicators_aimed=list(indicators),
        addresses="Черги",
    )


def test_periods_around_a_measure_are_the_quarters_either_side():
    before, after = effect.periods_around(dt.date(2025, 7, 1), dt.date(2025, 7, 1))
    assert (before.code, after.code) == ("2025Q2", "2025Q3")
    before, after = effect.periods_around(dt.date(2025, 5, 10), dt.date(2025, 8, 20))
    assert (before.code, after.code) == ("2025Q1", "2025Q4")


@pytest.mark.django_db
def test_rise_beyond_the_peers_change_is_an_effect(effect_world, user):
    subject, peers = effect_world
    reading = effect.reading(_measure(user, subject), "timeliness", today=TODAY)
    assert reading.verdict == effect.Verdict.EFFECT
    assert reading.peers == len(peers)
    assert reading.change == pytest.approx(0.20)
    assert reading.peer_change == pytest.approx(0.02)
    assert reading.did == pytest.approx(0.18)
    assert 0 < reading.did_low < reading.did < reading.did_high


@pytest.mark.django_db
def test_a_rise_like_the_peers_is_no_effect(effect_world, user):
    subject, _ = effect_world
    put("timeliness", subject.code, AFTER, 0.72)
    reading = effect.reading(_measure(user, subject), "timeliness", today=TODAY)
    assert reading.verdict == effect.Verdict.UNCLEAR
    assert reading.did_low < 0 < reading.did_high


@pytest.mark.django_db
def test_too_small_a_sample_says_insufficient_data(effect_world, user):
    subject, _ = effect_world
    put("timeliness", subject.code, AFTER, 0.9, n=12, status="insufficient")
    reading = effect.reading(_measure(user, subject), "timeliness", today=TODAY)
    assert reading.verdict == effect.Verdict.INSUFFICIENT
    assert reading.did is None


@pytest.mark.django_db
def test_too_few_peers_says_insufficient_data(effect_world, user):
    subject, peers = effect_world
    for peer in peers[2:]:
        put("timeliness", peer.code, AFTER, 0.8, n=3, status="insufficient")
    reading = effect.reading(_measure(user, subject), "timeliness", today=TODAY)
    assert reading.verdict == effect.Verdict.INSUFFICIENT
    assert "peers" in reading.reasons


@pytest.mark.django_db
def test_after_quarter_not_closed_is_pending(effect_world, user):
    subject, _ = effect_world
    reading = effect.reading(_measure(user, subject), "timeliness", today=dt.date(2025, 9, 15))
    assert reading.verdict == effect.Verdict.PENDING


@pytest.mark.django_db
def test_measure_page_shows_before_after_intervals_and_peers(client, effect_world, user):
    subject, _ = effect_world
    measure = _measure(user, subject, indicators=("timeliness", "satisfaction"))
    page = client.get(f"/measures/{measure.pk}").content.decode()
    assert "2025Q2" in page and "2025Q3" in page
    assert "70" in page and "90" in page  # before and after, in per cent
    assert "є ефект" in page
    assert "недостатньо даних" in page  # satisfaction has no figures in these quarters
    english = client.get(f"/en/measures/{measure.pk}").content.decode()
    assert "effect" in english.lower() and "insufficient data" in english.lower()
