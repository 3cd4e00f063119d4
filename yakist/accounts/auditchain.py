"""The audit trail as a hash chain: each entry carries the SHA-256 of the previous one, so an
entry edited, removed or inserted in the database breaks the chain at that point.

The hash covers a canonical JSON form of the entry (sorted keys, no spaces, UTF-8) with the
previous entry's hash; `yakist audit verify` recomputes it from the first entry to the last.
The client address is covered through a keyed digest (PSEUDONYM_KEY), so the address itself can
be erased after the retention period without breaking the chain, and the digest cannot be
turned back into the address without the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 864_2025_0007


def ip_digest(ip: str | None) -> str:
    if not ip:
        return ""
    return hmac.new(
        settings.PSEUDONYM_KEY.encode(), f"audit-ip:{ip}".encode(), hashlib.sha256
    ).hexdigest()


def plain_json(value: Any) -> Any:
    """The value as it reads back from a JSON column (tuples become lists, and so on)."""
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str))


def canonical(entry) -> bytes:
    body = {
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "changes": entry.changes,
        "ip_digest": entry.ip_digest,
        "prev": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def chain_lock() -> None:
    """Hold the append lock to the end of the current transaction (PostgreSQL; SQLite writes
    are serialised by its own write lock, taken at BEGIN IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_link(entries: list, head: str, *, ip: str | None = None) -> None:
    """Fill in the digests and hashes of new entries in order, starting after `head`; `ip` is
    the client address they were recorded from (kept apart, in AuditAddress)."""
    for entry in entries:
        if entry.at is None:
            entry.at = dt.datetime.now(dt.UTC)
        entry.changes = plain_json(entry.changes)
        entry.ip_digest = ip_digest(ip)
        entry.prev_hash = head
        entry.entry_hash = head = entry_hash(entry)


@dataclass(frozen=True)
class ChainBreak:
    id: int
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_id: int | None
    head_hash: str
    broken: ChainBreak | None


def chain_verify(entries) -> ChainReport:
    """Walk `entries` (in id order) and report the first that does not hold."""
    previous = ""
    count = 0
    last = None
    for entry in entries:
        count += 1
        reason = None
        if entry.prev_hash != previous:
            reason = "link"
        elif entry_hash(entry) != entry.entry_hash:
            reason = "content"
        elif entry.ip and ip_digest(entry.ip) != entry.ip_digest:
            reason = "ip"
        if reason:
            return ChainReport(
                count, entry.pk, entry.entry_hash, ChainBreak(entry.pk, entry.at, reason)
            )
        previous = entry.entry_hash
        last = entry
    return ChainReport(count, last.pk if last else None, previous, None)
