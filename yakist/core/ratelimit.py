"""Fixed-window rate limits in the shared cache (Redis in production)."""

import time

from django.core.cache import cache

from yakist.core.problems import RateLimited


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit; return seconds to wait when over the limit, else None."""
    now = int(time.time())
    window_start = now - now % window_seconds
    cache_key = f"rl:{key}:{window_start}"
    # add() is atomic in Redis and the database cache: the first hit creates the counter.
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    if count > limit:
        return max(1, window_start + window_seconds - now)
    return None


def enforce_rate_limit(*, key: str, limit: int, window_seconds: int) -> None:
    retry_after = rate_limit_hit(key=key, limit=limit, window_seconds=window_seconds)
    if retry_after is not None:
        raise RateLimited(retry_after)
