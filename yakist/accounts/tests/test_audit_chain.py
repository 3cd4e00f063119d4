"""The audit trail is a hash chain: `yakist audit verify` finds an entry edited or removed in
the database; PostgreSQL refuses such edits outright; apps append only through the service."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from yakist.accounts.models import AuditAddress, AuditEntry
from yakist.accounts.services import audit_record, audit_record_many

pytestmark = pytest.mark.django_db

TABLE = "accounts_auditentry"


def raw(sql: str, params=()) -> None:
    """Write to the audit table behind the application's back, as a DBA could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of this test's rows must run before the table changes.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def some_entries(n: int = 3) -> list[AuditEntry]:
    return [
        audit_record(action="test_entry", object_type="test", object_id=str(i), summary=f"n{i}")
        for i in range(n)
    ]


def test_hole_14_audit_verify_passes_on_the_demo_world(command):
    assert AuditEntry.objects.count() > 10  # the demo steps audit what they create
    out = command("audit", "verify")
    assert "audit chain intact" in out


def test_hole_14_audit_verify_names_an_edited_entry(command):
    entries = some_entries()
    target = entries[1]
    raw("UPDATE accounts_auditentry SET summary = %s WHERE id = %s", ["changed", target.pk])
    with pytest.raises(CommandError, match=rf"#{target.pk} \(") as failure:
        command("audit", "verify")
    assert "вміст запису змінено" in str(failure.value)
    assert target.at.isoformat() in str(failure.value)


def test_hole_14_audit_verify_names_the_entry_after_a_removed_one(command):
    entries = some_entries()
    raw("DELETE FROM accounts_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=rf"#{entries[2].pk} \("):
        command("audit", "verify")


def test_hole_14_audit_verify_exits_non_zero_from_the_command_line(command):
    from django.core.management import call_command

    entry = some_entries(1)[0]
    raw("UPDATE accounts_auditentry SET action = %s WHERE id = %s", ["login", entry.pk])
    with pytest.raises(CommandError, match=rf"#{entry.pk} \(") as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditentry SET summary = 'x' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ],
)
def test_hole_14_database_refuses_update_and_delete_of_audit_rows(sql):
    entry = some_entries(1)[0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.summary == "n0"


def test_hole_14_erasing_addresses_and_accounts_keeps_the_chain(command, rf):
    user = get_user_model().objects.create_user("leaving", password="x" * 16)
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    entry = audit_record(actor=user, action="test_entry", obj=user, request=request)
    assert entry.ip == "203.0.113.7" and entry.ip_digest
    # Retention erases addresses (kept apart; the keyed digest stays) and accounts may go.
    AuditAddress.objects.filter(entry=entry).delete()
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_id is None and entry.ip is None and entry.actor_name == "leaving"
    assert "audit chain intact" in command("audit", "verify")


def test_hole_14_a_changed_address_is_found(command, rf):
    entry = audit_record(action="test_entry", request=rf.get("/", REMOTE_ADDR="203.0.113.7"))
    raw("UPDATE accounts_auditaddress SET ip = %s WHERE entry_id = %s", ["198.51.100.1", entry.pk])
    with pytest.raises(CommandError, match=rf"#{entry.pk} \("):
        command("audit", "verify")


def test_hole_14_bulk_entries_continue_the_chain(command):
    entries = audit_record_many(
        entries=[AuditEntry(action="test_bulk", object_id=str(i)) for i in range(5)]
    )
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert all(e.actor_name == "system" for e in entries)
    assert "audit chain intact" in command("audit", "verify")


def test_hole_14_no_app_writes_audit_rows_but_through_the_service():
    package = Path(__file__).resolve().parents[2]
    service = package / "accounts" / "services.py"
    direct = re.compile(r"AuditEntry\.objects\.(create|bulk_create|get_or_create|update_or_create)")
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path != service
        if direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
