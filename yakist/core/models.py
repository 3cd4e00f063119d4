"""Plumbing shared by all apps: which demo generator steps already ran."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    """A finished step of the synthetic demo generator; a second `make demo` skips it."""

    name = models.CharField(_("крок"), max_length=200, unique=True)
    seed = models.IntegerField(_("зерно"))
    scale = models.FloatField(_("масштаб"), default=1.0)
    summary = models.TextField(_("підсумок"), blank=True)
    completed_at = models.DateTimeField(_("завершено"), auto_now_add=True)

    class Meta:
        verbose_name = _("крок демо-генератора")
        verbose_name_plural = _("кроки демо-генератора")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """A counter of rate limits and login throttling when there is no Redis (yakist.core.ratelimit).

    Increments are one INSERT … ON CONFLICT … RETURNING statement, so workers never lose a hit,
    and the expiry is kept with the counter, so a lockout lasts as long as it says.
    """

    name = models.CharField(_("ключ"), max_length=250, primary_key=True)
    count = models.BigIntegerField(_("лічильник"), default=0)
    # Seconds since the epoch: compared in SQL the same way on PostgreSQL and SQLite.
    expires = models.FloatField(_("діє до"), db_index=True)

    class Meta:
        verbose_name = _("лічильник обмеження частоти")
        verbose_name_plural = _("лічильники обмеження частоти")

    def __str__(self) -> str:
        return f"{self.name}={self.count}"
