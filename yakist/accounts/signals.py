"""Audit of logins, logouts and failed logins."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yakist.accounts.services import audit_record, client_ip
from yakist.core.ratelimit import counter_clear, counter_hit, counter_value


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="login", obj=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """At most one entry per name and address a minute, carrying how many failures it stands
    for: a password-guessing run cannot flood the trail (the throttle stops it anyway)."""
    # The attempted name only: never the password.
    username = str(credentials.get("username", ""))[:150]
    key = f"audit:login_failed:{username.lower()}:{client_ip(request) or '-'}"
    count, _left = counter_hit(key, ttl_seconds=60)
    if count > 1:
        counter_hit(f"{key}:unrecorded", ttl_seconds=24 * 3600)
        return
    unrecorded = counter_value(f"{key}:unrecorded")
    counter_clear(f"{key}:unrecorded")
    audit_record(
        action="login_failed",
        object_type="auth.user",
        object_id=username,
        summary=username,
        changes={"attempts": unrecorded + 1},
        request=request,
        actor_name=username or "anonymous",
    )
