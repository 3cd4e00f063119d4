"""The improvement loop (Resolution 864 p. 2(2)): problems found, measures taken against them,
good practice shared; and the report of an external satisfaction survey (p. 2(5)).

A measure, a problem and a practice belong to one monitoring subject (centre, provider,
hromada / local council, region or the nation) and carry the centre, provider and region they
concern, so the viewer's scope filters them like any other monitored data.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    CENTRE = "centre", _("ЦНАП")
    PROVIDER = "provider", _("суб'єкт надання")
    HROMADA = "hromada", _("громада (орган місцевого самоврядування)")
    REGION = "region", _("регіон")
    NATION = "nation", _("Україна")


class Subject(models.Model):
    """Who a record is about; scope paths: centre, organisation, region."""

    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectKind.choices)
    subject_key = models.CharField(_("код суб'єкта"), max_length=40, blank=True)
    subject_name = models.CharField(_("суб'єкт"), max_length=300)
    centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("центр"),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("суб'єкт надання"),
    )
    region = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
    )

    class Meta:
        abstract = True


class Problem(Subject):
    """A problem of service quality: raised by staff (possibly from a citizen's message) or
    detected from the data by the indicators' refresh."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("виявлено працівниками")
        CITIZEN = "citizen", _("з повідомлення громадянина")
        OUTLIER = "outlier", _("показник поза межами групи порівняння")
        SILENT = "silent", _("система не передає даних")
        REFUSAL_JUMP = "refusal_jump", _("різке зростання частки відмов")
        CHECKLIST = "checklist", _("вимогу не виконують багато центрів регіону")

    class Status(models.TextChoices):
        NEW = "new", _("нова")
        IN_WORK = "in_work", _("у роботі")
        MEASURE_TAKEN = "measure_taken", _("вжито заходів")
        RESOLVED = "resolved", _("вирішено")
        NOT_CONFIRMED = "not_confirmed", _("не підтвердилася")

    OPEN = (Status.NEW, Status.IN_WORK, Status.MEASURE_TAKEN)
    DETECTED_KINDS = (Kind.OUTLIER, Kind.SILENT, Kind.REFUSAL_JUMP, Kind.CHECKLIST)

    kind = models.CharField(_("вид"), max_length=14, choices=Kind.choices)
    title = models.CharField(_("проблема"), max_length=300)
    description = models.TextField(_("опис"), blank=True)
    indicator_code = models.CharField(_("показник"), max_length=40, blank=True)
    period = models.CharField(_("період"), max_length=8, blank=True)
    # The figures that raised a detected problem (values, intervals, peer range), for the record.
    evidence = models.JSONField(_("дані"), default=dict, blank=True)
    # Detected problems: one open problem per key (kind, subject, indicator or item).
    detection_key = models.CharField(_("ключ виявлення"), max_length=160, blank=True)
    owner = models.CharField(_("відповідальний орган"), max_length=300)
    status = models.CharField(_("стан"), max_length=14, choices=Status.choices, default=Status.NEW)
    message = models.ForeignKey(
        "feedback.FeedbackMessage",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("повідомлення громадянина"),
    )
    created_at = models.DateTimeField(_("зареєстровано"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("стан змінено"), default=timezone.now)

    class Meta:
        verbose_name = _("проблема")
        verbose_name_plural = _("реєстр проблем")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["region"])]
        constraints = [
            models.UniqueConstraint(
                fields=["detection_key"],
                condition=Q(status__in=["new", "in_work", "measure_taken"]) & ~Q(detection_key=""),
                name="one_open_problem_per_detection",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def detected(self) -> bool:
        return bool(self.detection_key)


class Measure(Subject):
    """A measure taken to raise service quality, with the indicators it aims to move."""

    title = models.CharField(_("захід"), max_length=300)
    description = models.TextField(_("зміст заходу"), blank=True)
    problem = models.ForeignKey(
        Problem,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("проблема з реєстру"),
    )
    # The problem in words when it is not in the register (e.g. found before Yakist).
    addresses = models.CharField(_("на розв'язання якої проблеми"), max_length=500, blank=True)
    responsible_body = models.CharField(_("відповідальний орган"), max_length=300)
    started_on = models.DateField(_("розпочато"))
    completed_on = models.DateField(_("завершено"), null=True, blank=True)
    indicators = models.JSONField(_("показники, на які спрямовано"), default=list)
    created_at = models.DateTimeField(_("внесено"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("захід")
        verbose_name_plural = _("заходи")
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_key", "started_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="measure_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_on(self):
        return self.completed_on or self.started_on


class Practice(models.Model):
    """A resolved problem whose measure showed an effect, shared as good practice."""

    problem = models.OneToOneField(
        Problem, models.PROTECT, related_name="practice", verbose_name=_("проблема")
    )
    measure = models.ForeignKey(
        Measure, models.PROTECT, related_name="practices", verbose_name=_("захід")
    )
    topic = models.CharField(_("тема"), max_length=120)
    summary = models.TextField(_("що зроблено і чому це спрацювало"))
    contact_body = models.CharField(_("до кого звертатися"), max_length=300)
    contact_details = models.CharField(_("контакти органу"), max_length=300, blank=True)
    # The measured effect when it was marked, as shown on the practice page.
    evidence = models.JSONField(_("докази"), default=list)
    marked_at = models.DateTimeField(_("позначено"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("добра практика")
        verbose_name_plural = _("добрі практики")
        ordering = ["topic", "-marked_at"]

    def __str__(self) -> str:
        return self.topic


class SurveyReport(models.Model):
    """The published report of one imported external survey (its own figures, apart)."""

    survey = models.OneToOneField(
        "feedback.ExternalSurvey",
        models.PROTECT,
        related_name="report",
        verbose_name=_("зовнішнє опитування"),
    )
    notes = models.TextField(_("примітки до методу"), blank=True)
    published_at = models.DateTimeField(_("оприлюднено"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("звіт зовнішнього опитування")
        verbose_name_plural = _("звіти зовнішніх опитувань")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return str(self.survey)
