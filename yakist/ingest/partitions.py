"""Month partitions of the intake's two growing tables on PostgreSQL (docs/scaling.md §1).

`ingest_event` and `ingest_journal` are partitioned by the month (Kyiv time) in which a row was
received: each month keeps indexes small enough for memory, and retention drops a whole month
with DETACH PARTITION and DROP TABLE instead of deleting rows one by one. A DEFAULT partition
takes any row whose month has no partition yet, so an insert never fails. The worker's
retention run (yakist.core.retention, at start and daily) makes the months ahead and moves any
row found in the default partition into its own month.

On SQLite nothing is partitioned: `partitions_ensure` does nothing and retention deletes rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Min
from django.utils import timezone

logger = logging.getLogger(__name__)

# The partitioned tables and the column each is partitioned by.
PARTITIONED = {"ingest_event": "received_at", "ingest_journal": "received_at"}
# The narrow, unpartitioned idempotency key of `ingest_event` (yakist.ingest.models.EventKey).
KEY_TABLE = "ingest_eventkey"
MONTHS_AHEAD = 2
# Creating a partition locks its parent briefly; an intake busy for longer is left alone and
# the month is made on a later run (it is made months ahead, and the default partition waits).
LOCK_TIMEOUT = "5s"
# Set for the transaction while rows move out of the default partition: the trigger that
# forgets the idempotency key of a deleted event must then leave the key alone.
KEEP_KEYS_SETTING = "yakist.keep_event_keys"


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the (Kyiv) month a moment falls in."""
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local.date().replace(day=1)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Where a month starts and the next one starts, as aware moments."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
    return start, dt.datetime.combine(month_add(month, 1), dt.time(), tzinfo=zone)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_{month:%Y_%m}"


def default_partition(table: str) -> str:
    return f"{table}_default"


def partitions_supported(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def partitions_months(table: str, *, using: str = DEFAULT_DB_ALIAS) -> dict[dt.date, str]:
    """The month partitions a table has, by month (the default partition is not listed)."""
    pattern = re.compile(rf"^{re.escape(table)}_(\d{{4}})_(\d{{2}})$")
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    months = {}
    for name in names:
        if found := pattern.match(name):
            months[dt.date(int(found[1]), int(found[2]), 1)] = name
    return months


def partitions_ensure(
    months_ahead: int = MONTHS_AHEAD,
    *,
    now: dt.datetime | None = None,
    since: dt.date | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[str]:
    """Make the partitions of this month and `months_ahead` months after it (and of every
    month from `since`), and of any month whose rows wait in the default partition; return
    the partitions made. Safe to run at any time and as often as wanted."""
    if not partitions_supported(using):
        return []
    current = month_of(now or timezone.now())
    wanted = {month_add(current, n) for n in range(months_ahead + 1)}
    if since is not None:
        month = since
        while month < current:
            wanted.add(month)
            month = month_add(month, 1)
    made = []
    for table, column in PARTITIONED.items():
        existing = partitions_months(table, using=using)
        for month in sorted((wanted | _default_months(table, column, using)) - set(existing)):
            try:
                _month_create(table, column, month, using=using)
            except DatabaseError as error:  # a lock not granted in time: the next run retries
                logger.warning("partition %s not made: %s", partition_name(table, month), error)
                continue
            made.append(partition_name(table, month))
    return made


def _default_months(table: str, column: str, using: str) -> set[dt.date]:
    """Months with rows in the default partition (normally none: one quick empty scan)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {column} AT TIME ZONE %s)::date "  # noqa: S608
            f"FROM {default_partition(table)}",
            [settings.TIME_ZONE],
        )
        return {row[0] for row in cursor.fetchall()}


def _month_create(table: str, column: str, month: dt.date, *, using: str) -> None:
    """One month's partition. Rows of that month already in the default partition are moved
    into it first (PostgreSQL refuses a partition whose rows the default partition holds)."""
    start, end = month_bounds(month)
    name, default = partition_name(table, month), default_partition(table)
    bounds = f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    with transaction.atomic(using=using), _lock_timeout(using) as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {default} "  # noqa: S608
            f"WHERE {column} >= %s AND {column} < %s)",
            [start, end],
        )
        if not cursor.fetchone()[0]:
            cursor.execute(f"CREATE TABLE {name} PARTITION OF {table} {bounds}")
        else:
            # No row may land in the default partition between the move and the attach.
            cursor.execute(f"LOCK TABLE {default} IN EXCLUSIVE MODE")
            cursor.execute(
                f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                "INCLUDING STORAGE INCLUDING COMPRESSION)"
            )
            cursor.execute("SELECT set_config(%s, 'on', true)", [KEEP_KEYS_SETTING])
            cursor.execute(
                f"WITH moved AS (DELETE FROM {default} WHERE {column} >= %s "  # noqa: S608
                f"AND {column} < %s RETURNING *) INSERT INTO {name} SELECT * FROM moved",
                [start, end],
            )
            cursor.execute("SELECT set_config(%s, 'off', true)", [KEEP_KEYS_SETTING])
            # The check proves the rows fit, so ATTACH does not scan them again.
            cursor.execute(
                f"ALTER TABLE {name} ADD CONSTRAINT {name}_month "
                f"CHECK ({column} >= '{start.isoformat()}' AND {column} < '{end.isoformat()}')"
            )
            cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} {bounds}")
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_month")


@contextmanager
def _lock_timeout(using: str) -> Iterator:
    """A cursor whose statements wait at most LOCK_TIMEOUT for a lock, inside the caller's
    transaction; the previous timeout is back afterwards (a migration goes on after this)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        yield cursor
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def intake_months_purge(*, older_than_months: int, now: dt.datetime | None = None) -> int:
    """Remove events and journal entries of every month wholly older than `older_than_months`
    months before the current one; return how many months of a table were removed (on
    PostgreSQL a partition each, detached and dropped; on SQLite the months' rows).

    The idempotency keys of the removed events go with them, so an event older than the
    retention can be sent again and is taken as new. Nothing is removed from the month of the
    oldest journal entry still waiting for the case projection onwards: the projection reads
    the events of the cases it touches.
    """
    from yakist.ingest.models import Event, Journal, SandboxEvent

    if older_than_months <= 0:
        return 0
    cutoff = month_add(month_of(now or timezone.now()), -older_than_months)
    waiting = Journal.objects.filter(processed_at__isnull=True).aggregate(
        oldest=Min("received_at")
    )["oldest"]
    if waiting is not None:
        cutoff = min(cutoff, month_of(waiting))
    cutoff_moment, _next = month_bounds(cutoff)
    # Sandbox events are few (systems in testing) and stay in one table: plain deletes.
    SandboxEvent.objects.filter(received_at__lt=cutoff_moment).delete()
    if not partitions_supported():
        removed = 0
        for rows in (
            Event.objects.filter(received_at__lt=cutoff_moment),
            Journal.objects.filter(received_at__lt=cutoff_moment),
        ):
            removed += len(rows.datetimes("received_at", "month"))
            rows.delete()
        return removed
    removed = 0
    for table in PARTITIONED:
        for month, name in sorted(partitions_months(table).items()):
            if month >= cutoff:
                continue
            try:
                _month_drop(table, name, month)
            except DatabaseError as error:  # a lock not granted in time: the next run retries
                logger.warning("partition %s not dropped: %s", name, error)
                continue
            removed += 1
    return removed


def _month_drop(table: str, name: str, month: dt.date) -> None:
    start, end = month_bounds(month)
    with transaction.atomic(), _lock_timeout(DEFAULT_DB_ALIAS) as cursor:
        # Foreign-key checks deferred in this transaction would forbid the DROP: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
        if table == "ingest_event":
            cursor.execute(
                f"DELETE FROM {KEY_TABLE} WHERE received_at >= %s AND received_at < %s",  # noqa: S608
                [start, end],
            )
        cursor.execute(f"DROP TABLE {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares its foreign keys
