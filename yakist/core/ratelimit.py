"""Counters with an expiry shared by every worker: rate limits and login throttling.

Redis when REDIS_URL is set (one Lua script per hit), otherwise a table in the database
(one INSERT … ON CONFLICT … RETURNING per hit). Both are atomic across workers and keep the
expiry set at the first hit, so a pause lasts the same on either. The file cache is never used
for limits: each worker of a host would count alone in its own copy.
"""

from __future__ import annotations

import math
import random
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction

from yakist.core.models import RateCounter
from yakist.core.problems import RateLimited

_HIT_LUA = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@lru_cache(maxsize=1)
def _redis():
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    return client, client.register_script(_HIT_LUA)


def _prefixed(key: str) -> str:
    return f"yakist:rl:{key}"[:250]


def counter_hit(key: str, *, ttl_seconds: int) -> tuple[int, int]:
    """Add one to the counter `key`; (new count, seconds until it expires).

    The counter lives `ttl_seconds` from its first hit; later hits do not extend it.
    """
    key = _prefixed(key)
    if settings.REDIS_URL:
        _client, script = _redis()
        count, ttl_ms = script(keys=[key], args=[ttl_seconds * 1000])
        return int(count), max(1, math.ceil(int(ttl_ms) / 1000))
    now = time.time()
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, count, expires) VALUES (%s, 1, %s) "  # noqa: S608
            "ON CONFLICT (name) DO UPDATE SET "
            f"count = CASE WHEN {table}.expires <= %s THEN 1 ELSE {table}.count + 1 END, "
            f"expires = CASE WHEN {table}.expires <= %s THEN excluded.expires "
            f"ELSE {table}.expires END "
            "RETURNING count, expires",
            [key, now + ttl_seconds, now, now],
        )
        count, expires = cursor.fetchone()
    if random.random() < 0.01:
        RateCounter.objects.filter(expires__lt=now).delete()
    return int(count), max(1, math.ceil(expires - now))


def counter_remaining(key: str) -> int:
    """Seconds until the counter `key` expires; 0 when there is none."""
    key = _prefixed(key)
    if settings.REDIS_URL:
        client, _script = _redis()
        ttl_ms = client.pttl(key)
        return max(0, math.ceil(ttl_ms / 1000)) if ttl_ms > 0 else 0
    now = time.time()
    expires = (
        RateCounter.objects.filter(name=key, expires__gt=now)
        .values_list("expires", flat=True)
        .first()
    )
    return max(1, math.ceil(expires - now)) if expires is not None else 0


def counter_value(key: str) -> int:
    key = _prefixed(key)
    if settings.REDIS_URL:
        client, _script = _redis()
        value = client.get(key)
        return int(value) if value is not None else 0
    value = (
        RateCounter.objects.filter(name=key, expires__gt=time.time())
        .values_list("count", flat=True)
        .first()
    )
    return int(value or 0)


def counter_clear(key: str) -> None:
    key = _prefixed(key)
    if settings.REDIS_URL:
        client, _script = _redis()
        client.delete(key)
        return
    RateCounter.objects.filter(name=key).delete()


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit; return seconds to wait when over the limit, else None."""
    count, remaining = counter_hit(key, ttl_seconds=window_seconds)
    return remaining if count > limit else None


def enforce_rate_limit(*, key: str, limit: int, window_seconds: int) -> None:
    retry_after = rate_limit_hit(key=key, limit=limit, window_seconds=window_seconds)
    if retry_after is not None:
        raise RateLimited(retry_after)
