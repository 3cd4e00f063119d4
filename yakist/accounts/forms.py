"""The one login door (main site and /admin/): a pause after repeated failures per account,
per address and per both, counted in the shared store (yakist.accounts.throttle)."""

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from yakist.accounts import throttle
from yakist.accounts.services import audit_record, client_ip


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = str(self.data.get("username", ""))
        ip = client_ip(self.request)
        # A paused key is refused before the password is looked at: no guess is tried.
        if remaining := throttle.login_pause_remaining(username=username, ip=ip):
            raise self._paused(remaining)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if paused := throttle.login_failure_record(username=username, ip=ip):
                audit_record(
                    action="login_paused",
                    object_type="auth.user",
                    object_id=username[:80],
                    summary=username[:150],
                    changes={"seconds": paused},
                    request=self.request,
                    actor_name=username or "anonymous",
                )
            raise
        if self.user_cache is not None:  # a form missing a field authenticated no one
            throttle.login_success_record(username=username, ip=ip)
        return cleaned

    def _paused(self, seconds: int) -> forms.ValidationError:
        return forms.ValidationError(
            _("Забагато невдалих спроб входу. Спробуйте знову через %(minutes)s хв.")
            % {"minutes": max(1, math.ceil(seconds / 60))},
            code="throttled",
        )
