"""Vocabularies of the methodology (periodicity, direction, subject types, result status)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Periodicity(models.TextChoices):
    QUARTERLY = "quarterly", _("щоквартально")
    YEARLY = "yearly", _("щороку")


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("більше — краще")
    LOWER_BETTER = "lower_better", _("менше — краще")
    NEUTRAL = "neutral", _("без оцінки напрямку")


class SubjectType(models.TextChoices):
    CENTRE = "centre", _("ЦНАП")
    PROVIDER = "provider", _("суб'єкт надання")
    HROMADA = "hromada", _("громада")
    REGION = "region", _("регіон")
    NATION = "nation", _("Україна")


class ResultStatus(models.TextChoices):
    OK = "ok", _("розраховано")
    INSUFFICIENT = "insufficient", _("недостатньо даних")
    NO_DATA = "no_data", _("немає даних")
    # A rating only: the rank interval spans more than half the peer group.
    UNCERTAIN = "uncertain", _("недостатньо даних для рейтингу")
