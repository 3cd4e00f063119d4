"""Login form with a pause after repeated failures (per account name and address)."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext as _

from yakist.accounts.services import client_ip


def login_failure_key(username: str, ip: str | None) -> str:
    return f"login-failures:{username.lower()[:150]}:{ip or '-'}"


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.data.get("username", "")
        key = login_failure_key(username, client_ip(self.request))
        if cache.get(key, 0) >= settings.LOGIN_MAX_FAILURES:
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(
                _("Забагато невдалих спроб входу. Спробуйте знову через %(minutes)s хв.")
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
            raise
