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
