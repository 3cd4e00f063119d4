"""Applicants' ratings (surveys), external satisfaction surveys and public reports of
inaccurate data or suggestions, with the subject's duty to answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.feedback.enums import Aspect


class ExternalSurvey(models.Model):
    """A batch of ratings collected outside Yakist (call-centre interviews, SMS/Viber polls,
    an independent external assessment) and imported as a whole."""

    name = models.CharField(_("назва"), max_length=300)
    conducted_by = models.CharField(_("хто проводив"), max_length=300, blank=True)
    method = models.CharField(_("метод"), max_length=200, blank=True)
    period_start = models.DateField(_("початок опитування"))
    period_end = models.DateField(_("кінець опитування"))
    file_name = models.CharField(_("файл"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("імпортовано"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("зовнішнє опитування")
        verbose_name_plural = _("зовнішні опитування")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return self.name


class SurveyResponse(models.Model):
    """One applicant's rating of a front office. The comment is private: never published."""

    class Source(models.TextChoices):
        QR = "qr", _("QR-код у центрі")
        WEB = "web", _("вебсайт")
        SMS = "sms", _("SMS / Viber після візиту")
        CALL = "call", _("телефонне опитування")
        EXTERNAL = "external", _("зовнішнє опитування")

    centre = models.ForeignKey(
        "registry.Centre", models.PROTECT, related_name="survey_responses", verbose_name=_("центр")
    )
    # Denormalised for set-based indicator queries.
    main_centre = models.ForeignKey(
        "registry.Centre", models.PROTECT, related_name="+", verbose_name=_("головний ЦНАП")
    )
    region = models.ForeignKey(
        "registry.Territory", models.PROTECT, related_name="+", verbose_name=_("регіон")
    )
    service = models.ForeignKey(
        "registry.Service",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("послуга"),
    )
    source = models.CharField(_("джерело"), max_length=10, choices=Source.choices)
    survey = models.ForeignKey(
        ExternalSurvey,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("зовнішнє опитування"),
    )
    score = models.PositiveSmallIntegerField(
        _("ймовірність рекомендувати (0–10)"), null=True, blank=True
    )
    premises = models.PositiveSmallIntegerField(
        _("приміщення"), choices=Aspect.choices, null=True, blank=True
    )
    staff = models.PositiveSmallIntegerField(
        _("працівники"), choices=Aspect.choices, null=True, blank=True
    )
    services_range = models.PositiveSmallIntegerField(
        _("перелік послуг"), choices=Aspect.choices, null=True, blank=True
    )
    overall = models.PositiveSmallIntegerField(
        _("процес обслуговування загалом"), choices=Aspect.choices, null=True, blank=True
    )
    comment = models.TextField(_("коментар (не оприлюднюється)"), blank=True)
    submitted_at = models.DateTimeField(_("час відповіді"), default=timezone.now, db_index=True)
    client_hash = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("відповідь на опитування")
        verbose_name_plural = _("відповіді на опитування")
        indexes = [models.Index(fields=["main_centre", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="survey_score_0_10"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | Q(overall__isnull=False),
                name="survey_has_an_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.score}"


class FeedbackMessage(models.Model):
    """A public report of inaccurate data or a suggestion, routed to the responsible subject."""

    class Kind(models.TextChoices):
        DATA_ERROR = "data_error", _("Дані неточні")
        SUGGESTION = "suggestion", _("Пропозиція щодо покращення")

    class State(models.TextChoices):
        RECEIVED = "received", _("отримано")
        IN_PROGRESS = "in_progress", _("розглядається")
        ANSWERED = "answered", _("надано відповідь")
        REJECTED = "rejected", _("відхилено")

    tracking_code = models.CharField(_("код відстеження"), max_length=16, unique=True)
    kind = models.CharField(_("вид"), max_length=12, choices=Kind.choices)
    subject_type = models.CharField(_("про що"), max_length=20)
    subject_key = models.CharField(_("ідентифікатор предмета"), max_length=80, blank=True)
    page = models.CharField(_("сторінка"), max_length=300, blank=True)
    text = models.TextField(_("текст"))
    # Personal data: visible only to the staff who answer; never on public pages.
    contact = models.CharField(_("контакт для відповіді"), max_length=200, blank=True)
    state = models.CharField(
        _("стан"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    routed_centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("відповідальний центр"),
    )
    routed_organisation = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("відповідальний суб'єкт"),
    )
    routed_region = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
    )
    received_at = models.DateTimeField(_("отримано"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("відповісти до"))
    answer = models.TextField(_("відповідь (публічна)"), blank=True)
    answered_at = models.DateTimeField(_("дата відповіді"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_hash = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("повідомлення громадянина")
        verbose_name_plural = _("повідомлення громадян")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="answered") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.RECEIVED, self.State.IN_PROGRESS)

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at
