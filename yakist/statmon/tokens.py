"""Personal API tokens for systems that fill reports. The token is shown once; only its
SHA-256 is stored, so a leaked database does not leak working tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yakist.accounts.services import audit_record
from yakist.statmon.models import ApiToken

PREFIX = "yks_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str = "", actor=None) -> str:
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:12], digest=_digest(raw)
    )
    audit_record(actor=actor, action="statmon_token_create", obj=token, summary=f"{token.prefix}…")
    return raw


@transaction.atomic
def token_revoke(*, prefix: str, actor=None) -> int:
    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at=None))
    for token in tokens:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="statmon_token_revoke", obj=token)
    return len(tokens)


def token_user(raw: str):
    """The active user a token belongs to, or None."""
    if not raw.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def user_get(username: str):
    return get_user_model().objects.filter(username=username).first()
