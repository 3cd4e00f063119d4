"""Vocabularies of the registry (status of subjects, units of legal terms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active", _("діє")
    SUSPENDED = "suspended", _("тимчасово не працює")
    CLOSED = "closed", _("закрито")


class TermUnit(models.TextChoices):
    HOURS = "hours", _("годин")
    CALENDAR_DAYS = "calendar_days", _("календарних днів")
    WORKING_DAYS = "working_days", _("робочих днів")
    ON_VISIT = "on_visit", _("у день звернення (під час прийому)")
