"""The intake's vocabulary (event types, channels), importable without the ingest models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    SUBMITTED = "submitted", _("подано")
    REGISTERED = "registered", _("зареєстровано")
    STATUS_CHANGED = "status_changed", _("зміна стану")
    SUSPENDED = "suspended", _("зупинено")
    RESUMED = "resumed", _("відновлено")
    COMPLETED = "completed", _("розглянуто")
    ISSUED = "issued", _("видано результат")
    REFUSED = "refused", _("відмовлено")
    WITHDRAWN = "withdrawn", _("відкликано заявником")
    RATED = "rated", _("оцінка заявника")


class Channel(models.TextChoices):
    OFFLINE = "offline", _("офлайн (у ЦНАП)")
    ONLINE = "online", _("онлайн")
    MOBILE = "mobile", _("мобільний ЦНАП")
    REMOTE_WORKPLACE = "remote_workplace", _("віддалене робоче місце")
