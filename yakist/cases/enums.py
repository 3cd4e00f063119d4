"""Case statuses, importable by any stage without the cases models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("подано")
    REGISTERED = "registered", _("зареєстровано")
    IN_PROGRESS = "in_progress", _("розглядається")
    SUSPENDED = "suspended", _("зупинено")
    COMPLETED = "completed", _("розглянуто")
    ISSUED = "issued", _("результат видано")
    REFUSED = "refused", _("відмовлено")
    WITHDRAWN = "withdrawn", _("відкликано")
