"""Audit of logins, logouts and failed logins."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yakist.accounts.services import audit_record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="login", obj=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted name only: never the password.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action="login_failed",
        object_type="auth.user",
        object_id=username,
        summary=username,
        request=request,
        actor_name=username or "anonymous",
    )
