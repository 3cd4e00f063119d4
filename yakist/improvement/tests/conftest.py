"""Fixtures of the improvement tests: figures and peer groups written as the engine stores them,
for quarters the test world never computes (2025Q2, 2025Q3), so each test controls them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from yakist.core.periods import Period
from yakist.indicators.models import IndicatorDefinition, IndicatorResult, RatingResult
from yakist.indicators.selectors import methodology_at
from yakist.registry.models.reference import Centre

BEFORE, AFTER = Period(2025, 2), Period(2025, 3)
LVIV = "UA46000000000026241"


def put(code, key, period, value, *, n=400, status="ok", subject_type="centre", half=0.03):
    definition = IndicatorDefinition.objects.get(
        methodology=methodology_at(period.first_day), code=code
    )
    IndicatorResult.objects.filter(
        indicator_code=code, subject_type=subject_type, subject_key=key, period=period.code
    ).delete()
    ok = status == "ok"
    return IndicatorResult.objects.create(
        definition=definition,
        indicator_code=code,
        subject_type=subject_type,
        subject_key=key,
        period=period.code,
        value=value if ok else None,
        numerator=round(value * n) if ok else None,
        denominator=n,
        n=n,
        ci_low=max(0.0, value - half) if ok else None,
        ci_high=min(1.0, value + half) if ok else None,
        status=status,
    )


def group(keys, period, name="pop-10k-50k"):
    methodology = methodology_at(period.first_day)
    RatingResult.objects.filter(period=period.code, subject_key__in=keys).delete()
    RatingResult.objects.bulk_create(
        [
            RatingResult(
                methodology=methodology,
                subject_type="centre",
                subject_key=key,
                period=period.code,
                peer_group=name,
                status="ok",
                rank_of=len(keys),
            )
            for key in keys
        ]
    )


@pytest.fixture
def lviv_centres(db):
    """Main centres of the Lviv region (the coordinator's and the centre login's region)."""
    return list(Centre.objects.filter(region_id=LVIV, kind=Centre.Kind.CENTRE).order_by("code")[:8])


@pytest.fixture
def other_centre(db):
    return Centre.objects.filter(kind=Centre.Kind.CENTRE).exclude(region_id=LVIV).first()


@pytest.fixture
def user():
    def _get(username):
        return get_user_model().objects.get(username=username)

    return _get


@pytest.fixture
def effect_world(lviv_centres):
    """The first Lviv centre's timeliness rises 0.70 → 0.90 while its peers move 0.80 → 0.82."""
    subject, *peers = lviv_centres
    put("timeliness", subject.code, BEFORE, 0.70)
    put("timeliness", subject.code, AFTER, 0.90)
    for index, peer in enumerate(peers):
        put("timeliness", peer.code, BEFORE, 0.78 + index * 0.01)
        put("timeliness", peer.code, AFTER, 0.80 + index * 0.01)
    group([c.code for c in lviv_centres], BEFORE)
    return subject, peers
