"""Publications: dated, immutable snapshots of a subject's indicator results for a period, and
each subject's stable short link (with the address of its own website, if it publishes there)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubjectType(models.TextChoices):
    CENTRE = "centre", _("ЦНАП")
    PROVIDER = "provider", _("суб'єкт надання")
    HROMADA = "hromada", _("громада")
    REGION = "region", _("регіон")
    NATION = "nation", _("Україна")


class Publication(models.Model):
    """One version of a subject's report for one period.

    The content is canonical JSON fixed when the publication is prepared; approval approves
    exactly that text and publishing makes it public. A correction is a new version that
    points to the one it replaces and says why; the old version stays readable.
    """

    class State(models.TextChoices):
        PREPARED = "prepared", _("підготовлено")
        APPROVED = "approved", _("погоджено")
        PUBLISHED = "published", _("оприлюднено")
        SUPERSEDED = "superseded", _("замінено виправленням")

    OPEN_STATES = (State.PREPARED, State.APPROVED)
    PUBLIC_STATES = (State.PUBLISHED, State.SUPERSEDED)

    code = models.CharField(_("код постійного посилання"), max_length=12, unique=True)
    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(_("код суб'єкта"), max_length=40, blank=True)
    subject_name = models.CharField(_("назва суб'єкта"), max_length=300)
    # Paths for Scope.restrict: who may see and act on the publication in the console.
    region = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
    )
    centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("центр"),
    )
    provider = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("суб'єкт надання"),
    )
    period = models.CharField(_("період"), max_length=8)
    periodicity = models.CharField(_("періодичність"), max_length=10)
    version = models.PositiveIntegerField(_("версія"), default=1)
    supersedes = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("виправляє версію"),
    )
    correction_reason = models.TextField(_("причина виправлення"), blank=True)
    state = models.CharField(
        _("стан"), max_length=12, choices=State.choices, default=State.PREPARED
    )
    content_json = models.TextField(_("зміст (канонічний JSON)"))
    content_hash = models.CharField(_("SHA-256 змісту"), max_length=64)
    methodology_code = models.CharField(_("версія методики"), max_length=20, blank=True)
    missing = models.JSONField(_("бракує даних"), default=list, blank=True)
    due_on = models.DateField(_("строк оприлюднення"))
    prepared_at = models.DateTimeField(_("підготовлено"), default=timezone.now)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("погоджено"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("оприлюднено"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(_("замінено"), null=True, blank=True)

    class Meta:
        verbose_name = _("публікація")
        verbose_name_plural = _("публікації")
        ordering = ["subject_type", "subject_key", "period", "version"]
        indexes = [
            models.Index(fields=["period", "state"]),
            models.Index(fields=["subject_type", "subject_key", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_key", "period", "version"],
                name="publication_version_once",
            ),
            # At most one draft in the workflow and one public version per subject and period.
            models.UniqueConstraint(
                fields=["subject_type", "subject_key", "period"],
                condition=Q(state__in=["prepared", "approved"]),
                name="publication_one_open_draft",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_key", "period"],
                condition=Q(state="published"),
                name="publication_one_published",
            ),
            models.CheckConstraint(
                condition=Q(version=1) | (Q(supersedes__isnull=False) & ~Q(correction_reason="")),
                name="correction_names_old_version_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["published", "superseded"]) | Q(published_at__isnull=False),
                name="published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.period} · v{self.version}"

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES


class SubjectLink(models.Model):
    """A subject's stable short link and QR code; optionally its own website's report page.

    Created when the subject first publishes or registers its own address.
    """

    code = models.CharField(_("код постійного посилання"), max_length=12, unique=True)
    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(_("код суб'єкта"), max_length=40, blank=True)
    external_url = models.URLField(
        _("адреса звітів на власному вебсайті"), max_length=500, blank=True
    )
    external_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("постійне посилання суб'єкта")
        verbose_name_plural = _("постійні посилання суб'єктів")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_key"], name="subject_link_once"
            ),
            models.CheckConstraint(
                condition=Q(external_url="")
                | Q(external_url__startswith="http://")
                | Q(external_url__startswith="https://"),
                name="external_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_key}"


class ReminderSent(models.Model):
    """A reminder already mailed, so the daily command never sends the same one twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    days_before = models.IntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "days_before"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} −{self.days_before}"
