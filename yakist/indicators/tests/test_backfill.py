"""`yakist indicators backfill`: what `make demo` runs next to the server."""

import pytest
from django.db.models import Max

from yakist.core.periods import Period, kyiv_now
from yakist.indicators.models import IndicatorResult

pytestmark = pytest.mark.django_db


def test_backfill_computes_the_year_so_far_and_missing_quarters_only(command):
    current = Period.quarter_of(kyiv_now().date())
    last = current.previous()
    # The demo steps compute the current and last quarters (and the improvement step the one
    # before, for its before/after readings), not the year so far nor earlier quarters.
    before_last = last.previous().previous()
    year = Period(current.year)
    assert not IndicatorResult.objects.filter(period=year.code).exists()
    assert not IndicatorResult.objects.filter(period=before_last.code).exists()
    last_computed = IndicatorResult.objects.filter(period=last.code).aggregate(Max("computed_at"))

    output = command("indicators", "backfill", "--quarters", "3")

    assert IndicatorResult.objects.filter(period=year.code, is_current=True).exists()
    assert IndicatorResult.objects.filter(period=before_last.code, is_current=True).exists()
    # A quarter that already has results is left alone.
    assert (
        IndicatorResult.objects.filter(period=last.code).aggregate(Max("computed_at"))
        == last_computed
    )
    assert output.count("методика") == 2
    assert command("indicators", "backfill", "--quarters", "3") == ""
