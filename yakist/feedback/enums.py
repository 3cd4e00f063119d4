"""Aspects of applicants' ratings, importable by any stage without the feedback models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Aspect(models.IntegerChoices):
    """The four-level answer used in Mintsyfra's surveys of centres."""

    TERRIBLE = 1, _("жахливо")
    ACCEPTABLE = 2, _("прийнятно")
    GOOD = 3, _("добре")
    EXCELLENT = 4, _("чудово")
