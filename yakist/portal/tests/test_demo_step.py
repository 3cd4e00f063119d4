"""The demo step publishes the latest closed periods through the services, or says why not."""

import pytest
from rich.console import Console

from yakist.core.periods import kyiv_now
from yakist.demo import portal as demo
from yakist.demo.runner import DemoContext
from yakist.indicators.models import IndicatorResult
from yakist.portal import schedule
from yakist.portal.models import Publication
from yakist.portal.tests import factories

pytestmark = pytest.mark.django_db


def context() -> DemoContext:
    return DemoContext(seed=1, console=Console(quiet=True))


def test_demo_step_succeeds_and_says_so_when_there_are_no_results():
    IndicatorResult.objects.all().delete()  # as before the methodology engine has run
    assert "результатів показників ще немає" in demo.publish(context())
    assert not Publication.objects.exists()


def test_demo_step_publishes_closed_periods_and_one_correction(lviv_centres):
    periods = schedule.closed_periods(kyiv_now().date())
    for period in periods:
        factories.results(period=period, subjects=[s.ref for s in lviv_centres])
    summary = demo.publish(context())
    assert "виправлень: 1" in summary
    published = Publication.objects.filter(state="published")
    assert published.count() == 2 * len(lviv_centres)
    correction = published.get(version=2)
    assert correction.supersedes.state == "superseded" and correction.correction_reason
