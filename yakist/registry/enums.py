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


class SystemState(models.TextChoices):
    TESTING = "testing", _("тестування (пісочниця)")
    ACTIVE = "active", _("діє")
    SUSPENDED = "suspended", _("призупинено")


class SystemBasis(models.TextChoices):
    # Order 145 p.5: the data list and format are set by a connection agreement; its
    # second paragraph connects ПК ЦНАП «Вулик» through СЕВ ОВВ on an application alone.
    AGREEMENT = "agreement", _("договір про підключення")
    APPLICATION = "application", _("заява про підключення через СЕВ ОВВ (ПК ЦНАП «Вулик»)")
    # Resolution 864 p.3(1): a subject not connected uploads files from its own tools.
    UPLOAD = "upload", _("завантаження файлів суб'єктом, не підключеним до системи")
