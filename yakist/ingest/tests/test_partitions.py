"""Month partitions of the intake tables (docs/scaling.md §1): a row lands in the month it was
received, a resend is a duplicate whatever month the first copy is in, the months ahead are
made by the worker's retention run, and retention drops whole months past their period."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from yakist.core.retention import retention_run
from yakist.ingest import partitions, store
from yakist.ingest.models import Event, EventKey, Journal
from yakist.ingest.partitions import month_add, month_of, partition_name, partitions_ensure
from yakist.ingest.tests import support

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="partitions are PostgreSQL's; SQLite has none"
)


@pytest.fixture
def system():
    return support.new_system()


@pytest.fixture
def world():
    return support.world()


def stored_directly(system, world, *, received_at: dt.datetime, event: dict | None = None):
    """An event stored as the intake stores it, but received at a given moment; its id."""
    event = event or support.event(world)
    journal_id = store.journal_insert(
        system_id=system.system.pk, received_at=received_at, body=b"{}", processed_at=received_at
    )
    row = (
        event["event_id"],
        event["case_id"],
        event["type"],
        dt.datetime.fromisoformat(event["occurred_at"]),
        world.service.pk,
        world.centre.pk,
        world.provider.pk,
        event["channel"],
        "",
        "",
        None,
        "",
    )
    inserted = store.events_insert(
        sandbox=False,
        system_id=system.system.pk,
        journal_id=journal_id,
        received_at=received_at,
        columns=store.columns_of([row]),
    )
    return inserted, journal_id


def partition_of(table: str, **where) -> str:
    condition = " AND ".join(f"{column} = %s" for column in where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text FROM {table} WHERE {condition}",  # noqa: S608
            list(where.values()),
        )
        (name,) = {row[0] for row in cursor.fetchall()}
    return name


@postgresql_only
def test_the_migration_leaves_this_month_the_next_ones_and_a_default_partition():
    this_month = month_of(timezone.now())
    for table in partitions.PARTITIONED:
        months = partitions.partitions_months(table)
        for ahead in range(partitions.MONTHS_AHEAD + 1):
            assert month_add(this_month, ahead) in months, (table, ahead)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid "
                "WHERE p.partrelid = %s::regclass AND c.relname = %s",
                [table, partitions.default_partition(table)],
            )
            assert cursor.fetchone(), table


@postgresql_only
def test_an_event_lands_in_the_partition_of_the_month_it_was_received(client, system, world):
    response = support.post_events(client, system, [support.event(world, case_id="P-NOW")])
    assert response.json()["accepted"] == 1
    month = month_of(timezone.now())
    assert partition_of("ingest_event", system_id=system.system.pk) == partition_name(
        "ingest_event", month
    )
    journal_id = int(response["Yakist-Journal-Id"])
    assert partition_of("ingest_journal", id=journal_id) == partition_name("ingest_journal", month)


@postgresql_only
def test_a_month_without_a_partition_waits_in_the_default_and_moves_out_later(system, world):
    long_ago = timezone.now().replace(year=2001)
    event = support.event(world)
    inserted, journal_id = stored_directly(system, world, received_at=long_ago, event=event)
    assert inserted == 1
    assert partition_of("ingest_event", system_id=system.system.pk) == "ingest_event_default"

    made = partitions_ensure()
    old_month = month_of(long_ago)
    assert partition_name("ingest_event", old_month) in made
    assert partition_name("ingest_journal", old_month) in made
    assert partition_of("ingest_event", system_id=system.system.pk) == partition_name(
        "ingest_event", old_month
    )
    assert partition_of("ingest_journal", id=journal_id) == partition_name(
        "ingest_journal", old_month
    )
    # The move kept the idempotency key: the event is still a duplicate.
    assert EventKey.objects.filter(system=system.system).count() == 1
    assert stored_directly(system, world, received_at=timezone.now(), event=event)[0] == 0


def test_a_resend_months_later_is_still_a_duplicate_and_a_change_a_conflict(client, system, world):
    first = support.event(world, case_id="ACROSS-MONTHS")
    months_ago = timezone.now() - dt.timedelta(days=70)
    partitions_ensure(since=month_of(months_ago))
    assert stored_directly(system, world, received_at=months_ago, event=first)[0] == 1

    result = support.post_events(client, system, [first]).json()
    assert (result["accepted"], result["duplicates"], result["rejected"]) == (0, 1, [])
    changed = dict(first, type="registered")
    result = support.post_events(client, system, [changed]).json()
    assert result["accepted"] == 0
    assert result["rejected"][0]["errors"][0]["type"] == "/problems/event-conflict"
    assert Event.objects.filter(system=system.system, case_id="ACROSS-MONTHS").count() == 1
    if connection.vendor == "postgresql":
        assert partition_of("ingest_event", system_id=system.system.pk) == partition_name(
            "ingest_event", month_of(months_ago)
        )


@postgresql_only
def test_partitions_ensure_makes_the_months_ahead_once():
    later = timezone.now() + dt.timedelta(days=800)
    partitions_ensure()  # whatever waited in the default partition has moved out
    made = partitions_ensure(now=later)
    expected = {
        partition_name(table, month_add(month_of(later), ahead))
        for table in partitions.PARTITIONED
        for ahead in range(3)
    }
    assert set(made) == expected
    assert partitions_ensure(now=later) == []
    assert partitions_ensure(3, now=later) == [
        partition_name(table, month_add(month_of(later), 3)) for table in partitions.PARTITIONED
    ]


def test_retention_drops_whole_expired_months_and_keeps_the_newer(system, world, settings):
    settings.INGEST_EVENT_RETENTION_MONTHS = 6
    now = timezone.now()
    old, waiting, recent = (now - dt.timedelta(days=days) for days in (400, 300, 100))
    partitions_ensure(since=month_of(old))
    expired = support.event(world, case_id="EXPIRED")
    stored_directly(system, world, received_at=old, event=expired)
    _inserted, pending = stored_directly(
        system, world, received_at=waiting, event=support.event(world, case_id="WAITING")
    )
    Journal.objects.filter(pk=pending).update(processed_at=None)
    stored_directly(system, world, received_at=recent, event=support.event(world, case_id="KEPT"))

    removed = retention_run(now=now)

    assert removed["intake_months"] >= 2  # the events' and the journal's month of `old`
    cases = set(Event.objects.filter(system=system.system).values_list("case_id", flat=True))
    # An entry the projection has not reached yet holds back its month and the later ones.
    assert cases == {"WAITING", "KEPT"}
    assert Journal.objects.filter(pk=pending).exists()
    assert not Journal.objects.filter(system=system.system, received_at__lte=old).exists()
    if connection.vendor == "postgresql":
        months = partitions.partitions_months("ingest_event")
        assert month_of(old) not in months and month_of(waiting) in months
        assert month_of(recent) in months
        # The expired event's key went with it: the same event is taken as new again.
        assert not EventKey.objects.filter(event_id=uuid.UUID(expired["event_id"])).exists()
    assert stored_directly(system, world, received_at=now, event=expired)[0] == 1


def test_without_a_retention_period_nothing_is_dropped(system, world, settings):
    settings.INGEST_EVENT_RETENTION_MONTHS = 0
    long_ago = timezone.now() - dt.timedelta(days=400)
    partitions_ensure(since=month_of(long_ago))
    stored_directly(system, world, received_at=long_ago)
    assert retention_run()["intake_months"] == 0
    assert Event.objects.filter(system=system.system).count() == 1


@postgresql_only
def test_deleting_an_event_forgets_its_key():
    """What an operator's DELETE does (and the replay tests rely on): the event can come again."""
    system, world = support.new_system(), support.world()
    event = support.event(world)
    stored_directly(system, world, received_at=timezone.now(), event=event)
    Event.objects.filter(system=system.system).delete()
    assert not EventKey.objects.filter(system=system.system).exists()
    assert stored_directly(system, world, received_at=timezone.now(), event=event)[0] == 1
