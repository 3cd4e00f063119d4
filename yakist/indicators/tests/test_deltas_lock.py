"""The cube's deltas and its recount take one lock (PostgreSQL): a projection that would append
deltas while a recount holds the lock waits for it, so a delta is neither lost nor counted twice
(yakist/indicators/deltas.py)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import OperationalError, connection

from yakist.cases.store import CaseFacts
from yakist.core.periods import Period
from yakist.indicators.deltas import CUBE_LOCK, deltas_apply
from yakist.indicators.models import CaseCube, IndicatorResult

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"),
]


def _a_new_case_in_a_computed_quarter() -> tuple[str, CaseFacts]:
    code = (
        IndicatorResult.objects.filter(period__contains="Q")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    assert code, "the test world has computed quarters"
    moment = Period.parse(code).start + dt.timedelta(days=3)
    facts = CaseFacts(
        service_id=1,
        main_centre_id=None,
        provider_id=1,
        region_id=None,
        hromada_id=None,
        channel="online",
        outcome="",
        received_at=moment,
        done_at=None,
        due_at=None,
        on_time=None,
        rating=None,
        rated_at=None,
    )
    return code, facts


def _held_elsewhere() -> psycopg.Connection:
    """Another session holding the cube's lock, as a full run's recount does."""
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    other.execute("BEGIN")
    other.execute("SELECT pg_advisory_xact_lock(%s)", [CUBE_LOCK])
    return other


def test_deltas_wait_while_a_recount_holds_the_lock():
    code, facts = _a_new_case_in_a_computed_quarter()
    rows_before = CaseCube.objects.filter(period=code).count()
    other = _held_elsewhere()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            deltas_apply([(None, facts)])
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert CaseCube.objects.filter(period=code).count() == rows_before
    # The lock released, the same change lands: one row of differences.
    assert deltas_apply([(None, facts)]) == 1
    added = CaseCube.objects.filter(period=code).order_by("-pk").first()
    assert (added.received, added.online, added.provider_id) == (1, 1, 1)
