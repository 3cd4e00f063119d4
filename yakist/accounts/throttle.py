"""The one login door's throttle: failures per account, per address and per both, with a pause
that doubles each time the same key is paused again (settings LOGIN_*)."""

from __future__ import annotations

from django.conf import settings

from yakist.core.ratelimit import counter_clear, counter_hit, counter_remaining


def _keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    name = username.strip().lower()[:150]
    address = ip or "-"
    return [
        (f"login:pair:{name}:{address}", settings.LOGIN_MAX_FAILURES),
        (f"login:account:{name}", settings.LOGIN_ACCOUNT_MAX_FAILURES),
        (f"login:address:{address}", settings.LOGIN_ADDRESS_MAX_FAILURES),
    ]


def login_pause_remaining(*, username: str, ip: str | None) -> int:
    """Seconds before this name may try again from this address; 0 when it may now."""
    return max(counter_remaining(f"{key}:pause") for key, _limit in _keys(username, ip))


def login_failure_record(*, username: str, ip: str | None) -> int:
    """Count a failed password; returns the pause it started (seconds), or 0."""
    started = 0
    for key, limit in _keys(username, ip):
        count, _left = counter_hit(f"{key}:failures", ttl_seconds=settings.LOGIN_LOCKOUT_SECONDS)
        if count < limit:
            continue
        counter_clear(f"{key}:failures")
        # Each further pause of the same key within the back-off memory is twice as long.
        strikes, _left = counter_hit(
            f"{key}:strikes", ttl_seconds=settings.LOGIN_BACKOFF_MAX_SECONDS
        )
        pause = min(
            settings.LOGIN_LOCKOUT_SECONDS * 2 ** (strikes - 1), settings.LOGIN_BACKOFF_MAX_SECONDS
        )
        counter_clear(f"{key}:pause")
        counter_hit(f"{key}:pause", ttl_seconds=pause)
        started = max(started, pause)
    return started


def login_success_record(*, username: str, ip: str | None) -> None:
    """A right password from this address forgets that pair's failures (not the others')."""
    pair_key, _limit = _keys(username, ip)[0]
    counter_clear(f"{pair_key}:failures")
