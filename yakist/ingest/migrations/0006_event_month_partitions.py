"""PostgreSQL: partition `ingest_event` and `ingest_journal` by month of receipt, with the
events' idempotency key moved to the unpartitioned `ingest_eventkey` (yakist.ingest.partitions,
docs/scaling.md §1). Existing rows are kept: each table is renamed, a partitioned table takes its
name, the rows are copied and the old table is dropped, in the migration's one transaction. On
SQLite only the (unused) key table is added.

What changes in the database, and why:
- `ingest_journal`: primary key (id, received_at), as PostgreSQL requires the partition key in
  every unique index of a partitioned table; ids still come from one identity sequence, so
  they stay unique. Its other indexes and its foreign key to the system are kept as they were.
- `ingest_event`: no primary key. Its (system_id, event_id) cannot be unique across months, so
  `ingest_eventkey` holds it; intake inserts a key and its event in one statement
  (yakist.ingest.store). A BRIN index on received_at finds a stored event from its key (the
  rare resend path) for next to nothing on the insert; an index (system_id, event_id,
  received_at) would cost every insert a second random B-tree write.
- No foreign key points at either table (events refer to their journal entry by a plain id),
  so none had to be replaced.
"""

import django.db.models.deletion
from django.db import migrations, models

from yakist.ingest.partitions import KEEP_KEYS_SETTING, month_of, partitions_ensure

TABLES = ("ingest_journal", "ingest_event")
PRIMARY_KEYS = {"ingest_journal": "id", "ingest_event": "system_id, event_id"}
KEY_FORGET = f"""
CREATE FUNCTION ingest_eventkey_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Rows moved out of the default partition keep their keys (yakist.ingest.partitions).
    IF coalesce(current_setting('{KEEP_KEYS_SETTING}', true), '') <> 'on' THEN
        DELETE FROM ingest_eventkey WHERE system_id = OLD.system_id AND event_id = OLD.event_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ingest_event_forget_key AFTER DELETE ON ingest_event
    FOR EACH ROW EXECUTE FUNCTION ingest_eventkey_forget();
"""


def _saved(cursor, table: str) -> dict:
    """What a rebuilt table needs back: its indexes (other than the primary key), its foreign
    keys and where its identity sequence stands."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p')",
        [table, table],
    )
    indexes = [
        definition.replace(" ON ONLY ", " ON ")
        for name, definition in cursor.fetchall()
        if name != f"{table}_received"  # the BRIN index is the partitioned events' own
    ]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign = cursor.fetchall()
    cursor.execute(
        "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')) "
        "FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'id'",
        [table, table],
    )
    row = cursor.fetchone()
    return {
        "indexes": indexes,
        "foreign": foreign,
        "sequence": row is not None,
        "last_id": row[0] if row else None,
    }


def _rebuild(cursor, table: str, *, partitioned: bool) -> dict:
    """Rename `table` away and create its successor (empty) under its name."""
    saved = _saved(cursor, table)
    cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {table}_old INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION)"
        + (" PARTITION BY RANGE (received_at)" if partitioned else "")
    )
    if partitioned:
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    return saved


def _finish(cursor, table: str, saved: dict, *, primary_key: str) -> None:
    """Copy the rows over, drop the old table, then give back the sequence, keys and indexes
    (built once, after the copy)."""
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_old")  # noqa: S608
    cursor.execute(f"DROP TABLE {table}_old")
    if saved["sequence"]:
        # The successor's identity sequence goes on from where the old one stood.
        cursor.execute(f"SELECT pg_get_serial_sequence(%s, 'id'), max(id) FROM {table}", [table])  # noqa: S608
        sequence, largest = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {table}_id_seq")
        last = max(saved["last_id"] or 0, largest or 0)
        cursor.execute(f"SELECT setval('{table}_id_seq', %s, %s)", [max(last, 1), last > 0])
    if primary_key:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary_key})")
    for definition in saved["indexes"]:
        cursor.execute(definition)
    for name, definition in saved["foreign"]:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(received_at) FROM (SELECT min(received_at) AS received_at FROM "
            "ingest_journal UNION ALL SELECT min(received_at) FROM ingest_event) AS t"
        )
        earliest = cursor.fetchone()[0]
        saved = {table: _rebuild(cursor, table, partitioned=True) for table in TABLES}
    # The months of the rows already there, this month and the next ones; nothing waits in
    # the default partition after the copy.
    partitions_ensure(since=month_of(earliest) if earliest else None, using=connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ingest_eventkey (system_id, event_id, received_at) "
            "SELECT system_id, event_id, received_at FROM ingest_event_old"
        )
        _finish(cursor, "ingest_journal", saved["ingest_journal"], primary_key="id, received_at")
        _finish(cursor, "ingest_event", saved["ingest_event"], primary_key="")
        cursor.execute(
            "CREATE INDEX ingest_event_received ON ingest_event USING brin (received_at) "
            "WITH (autosummarize = on)"
        )
        # Keys are appended in the order of receipt: retention finds a month's keys by range.
        cursor.execute(
            "CREATE INDEX ingest_eventkey_received ON ingest_eventkey USING brin (received_at)"
        )
        cursor.execute(KEY_FORGET)


def backwards(apps, schema_editor):
    """Back to one table each, with the primary keys they had."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER ingest_event_forget_key ON ingest_event")
        cursor.execute("DROP FUNCTION ingest_eventkey_forget()")
        for table in TABLES:
            saved = _rebuild(cursor, table, partitioned=False)
            _finish(cursor, table, saved, primary_key=PRIMARY_KEYS[table])


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0005_journal_sources_trembita_and_upload'),
        ('registry', '0004_merge_subjects_xroad'),
    ]

    operations = [
        migrations.CreateModel(
            name='EventKey',
            fields=[
                ('pk', models.CompositePrimaryKey('system', 'event_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('event_id', models.UUIDField()),
                ('received_at', models.DateTimeField()),
                ('system', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.connectedsystem')),
            ],
            options={
                'verbose_name': 'ключ події справи',
                'verbose_name_plural': 'ключі подій справ',
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
