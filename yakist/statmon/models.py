"""Static monitoring data: form versions (the catalogue), campaigns, reports and their history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.registry.models.reference import Centre


class IndicatorType(models.TextChoices):
    INTEGER = "integer", _("ціле число")
    DECIMAL = "decimal", _("десяткове число")
    PERCENT = "percent", _("відсоток")
    BOOLEAN = "boolean", _("так / ні")
    CHOICE = "choice", _("вибір зі списку")
    TEXT = "text", _("текст")


NUMERIC_TYPES = (IndicatorType.INTEGER, IndicatorType.DECIMAL, IndicatorType.PERCENT)


class Aggregation(models.TextChoices):
    SUM = "sum", _("сума")
    MEAN = "mean", _("середнє")
    SHARE = "share", _("частка «так», %")
    NONE = "none", _("не зводиться")


class FormVersion(models.Model):
    """One published version of the quarterly form. Never edited after loading: a change of the
    catalogue is a new version with its own effective period."""

    code = models.CharField(_("код форми"), max_length=40)
    version = models.PositiveIntegerField(_("версія"))
    title = models.CharField(_("назва"), max_length=300)
    title_en = models.CharField(_("назва англійською"), max_length=300, blank=True)
    effective_from = models.DateField(_("діє з"))
    effective_to = models.DateField(_("діє по (включно)"), null=True, blank=True)
    reporting_kinds = models.JSONField(_("види центрів, що звітують"), default=list)
    source = models.TextField(_("джерело"), blank=True)
    checks = models.JSONField(_("міжпольові перевірки"), default=list, blank=True)
    # Basis of each rule: {"form": …, "sections": {code: …}, "indicators": {code: …}} (act |
    # draft | model, see yakist/core/basis.py); checks carry theirs inside `checks`.
    bases = models.JSONField(_("підстави правил"), default=dict, blank=True)
    file_name = models.CharField(_("файл каталогу"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 файлу"), max_length=64)
    loaded_at = models.DateTimeField(_("завантажено"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("хто завантажив"),
    )

    class Meta:
        verbose_name = _("версія форми звітності")
        verbose_name_plural = _("версії форми звітності")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="statmon_form_version_once"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="statmon_form_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, версія {self.version}"

    def in_force_on(self, day) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class Section(models.Model):
    form = models.ForeignKey(
        FormVersion, models.CASCADE, related_name="sections", verbose_name=_("форма")
    )
    code = models.CharField(_("код"), max_length=20)
    position = models.PositiveIntegerField(_("порядок"))
    title = models.CharField(_("назва"), max_length=300)
    title_en = models.CharField(_("назва англійською"), max_length=300, blank=True)
    source = models.TextField(_("джерело (тема)"), blank=True)
    description = models.TextField(_("пояснення"), blank=True)

    class Meta:
        verbose_name = _("розділ форми")
        verbose_name_plural = _("розділи форми")
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="statmon_section_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Indicator(models.Model):
    """An indicator of one form version: its type, rules for the centre and for roll-ups."""

    form = models.ForeignKey(
        FormVersion, models.CASCADE, related_name="indicators", verbose_name=_("форма")
    )
    section = models.ForeignKey(
        Section, models.CASCADE, related_name="indicators", verbose_name=_("розділ")
    )
    code = models.CharField(_("код"), max_length=40)
    position = models.PositiveIntegerField(_("порядок"))
    name = models.CharField(_("назва"), max_length=500)
    name_en = models.CharField(_("назва англійською"), max_length=500, blank=True)
    help = models.TextField(_("підказка"), blank=True)
    type = models.CharField(_("тип"), max_length=10, choices=IndicatorType.choices)
    unit = models.CharField(_("одиниця"), max_length=40, blank=True)
    choices = models.JSONField(_("варіанти вибору"), default=list, blank=True)
    applies_to = models.JSONField(_("для видів центрів"), default=list)
    required = models.BooleanField(_("обов'язковий"), default=True)
    min_value = models.DecimalField(
        _("мінімум"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("максимум"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(_("знаків після коми"), default=0)
    aggregation = models.CharField(
        _("правило зведення"), max_length=10, choices=Aggregation.choices
    )
    weight = models.CharField(_("вага середнього (код)"), max_length=40, blank=True)
    checklist = models.BooleanField(
        _("пункт переліку відповідності"),
        default=False,
        help_text=_("Пункт переліку відповідності основним вимогам (для методики)."),
    )
    carry_over = models.BooleanField(
        _("переноситься з минулого кварталу"),
        default=False,
        help_text=_("Стан, а не потік: відповідь можна скопіювати з минулого кварталу."),
    )
    prefill = models.CharField(_("джерело попереднього заповнення"), max_length=80, blank=True)
    change_warning = models.BooleanField(_("попереджати про різку зміну"), default=False)

    class Meta:
        verbose_name = _("показник")
        verbose_name_plural = _("показники")
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="statmon_indicator_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Campaign(models.Model):
    """One quarter's collection: the form in force, the deadline, every expected report."""

    class State(models.TextChoices):
        OPEN = "open", _("відкрита")
        CLOSED = "closed", _("закрита")

    period = models.CharField(_("квартал"), max_length=7, unique=True)
    form = models.ForeignKey(
        FormVersion, models.PROTECT, related_name="campaigns", verbose_name=_("форма")
    )
    deadline = models.DateField(_("строк подання (включно)"))
    status = models.CharField(_("стан"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("відкрито"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("закрито"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("кампанія звітності")
        verbose_name_plural = _("кампанії звітності")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period

    @property
    def is_open(self) -> bool:
        return self.status == self.State.OPEN


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("не розпочато")
    DRAFT = "draft", _("чернетка")
    SUBMITTED = "submitted", _("подано")
    RETURNED = "returned", _("повернуто на доопрацювання")
    ACCEPTED = "accepted", _("прийнято")
    LOCKED = "locked", _("прийнято й закрито")


EDITABLE_STATUSES = (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED)
ACCEPTED_STATUSES = (ReportStatus.ACCEPTED, ReportStatus.LOCKED)


class Report(models.Model):
    """The expected submission of one centre for one quarter, with its working draft."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="reports", verbose_name=_("кампанія")
    )
    centre = models.ForeignKey(
        Centre, models.PROTECT, related_name="statmon_reports", verbose_name=_("центр")
    )
    status = models.CharField(
        _("стан"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    # Opened or closed during the quarter: a report is expected, but nobody is reminded.
    part_of_quarter = models.BooleanField(_("працював частину кварталу"), default=False)
    values = models.JSONField(_("значення"), default=dict, blank=True)
    # What was typed but is not a valid value yet, kept so that nothing entered is lost.
    invalid = models.JSONField(_("невалідні введення"), default=dict, blank=True)
    comments = models.JSONField(_("пояснення до попереджень"), default=dict, blank=True)
    draft_version = models.PositiveIntegerField(_("версія чернетки"), default=0)
    revision = models.PositiveIntegerField(_("номер виправлення"), default=0)
    correction_reason = models.TextField(_("причина виправлення"), blank=True)
    review_comment = models.TextField(_("коментар перевіряльника"), blank=True)
    accepted_version = models.ForeignKey(
        "ReportVersion",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("прийнята версія"),
    )
    first_submitted_at = models.DateTimeField(_("вперше подано"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("подано"), null=True, blank=True)
    updated_at = models.DateTimeField(_("змінено"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("звіт центру")
        verbose_name_plural = _("звіти центрів")
        ordering = ["campaign", "centre__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "centre"], name="statmon_report_once"),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign.period} {self.centre.code}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ReportVersion(models.Model):
    """What was submitted, frozen: each submission is a version; accepted ones feed roll-ups."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("на перевірці")
        RETURNED = "returned", _("повернуто")
        ACCEPTED = "accepted", _("прийнято")
        SUPERSEDED = "superseded", _("замінено виправленням")

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="versions", verbose_name=_("звіт")
    )
    number = models.PositiveIntegerField(_("номер"))
    form = models.ForeignKey(FormVersion, models.PROTECT, related_name="+")
    values = models.JSONField(_("значення"), default=dict)
    comments = models.JSONField(_("пояснення"), default=dict, blank=True)
    findings = models.JSONField(_("результати перевірок"), default=list, blank=True)
    reason = models.TextField(_("причина виправлення"), blank=True)
    outcome = models.CharField(
        _("результат"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    submitted_at = models.DateTimeField(_("подано"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("перевірено"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("версія звіту")
        verbose_name_plural = _("версії звіту")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="statmon_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ReportEvent(models.Model):
    """One step of a report's history: who, when, what, and which values changed."""

    class Action(models.TextChoices):
        OPEN = "open", _("очікується")
        SAVE = "save", _("збережено чернетку")
        UPLOAD = "upload", _("завантажено XLSX")
        API = "api", _("передано через API")
        COPY = "copy", _("скопійовано з минулого кварталу")
        SUBMIT = "submit", _("подано")
        RETURN = "return", _("повернуто на доопрацювання")
        ACCEPT = "accept", _("прийнято")
        CORRECT = "correct", _("розпочато виправлення")
        LOCK = "lock", _("закрито разом з кампанією")

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="events", verbose_name=_("звіт")
    )
    at = models.DateTimeField(_("час"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("хто"), max_length=150, blank=True)
    action = models.CharField(_("дія"), max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReportStatus.choices, blank=True)
    version_number = models.PositiveIntegerField(_("версія"), null=True, blank=True)
    comment = models.TextField(_("коментар"), blank=True)
    changes = models.JSONField(_("зміни"), default=dict, blank=True)

    class Meta:
        verbose_name = _("крок історії звіту")
        verbose_name_plural = _("історія звітів")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder e-mail sent for a report under one rule; at most one per rule and report."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="reminders", verbose_name=_("звіт")
    )
    rule = models.CharField(_("правило"), max_length=30)
    sent_at = models.DateTimeField(_("надіслано"), default=timezone.now)
    recipients = models.JSONField(_("адресати"), default=list)
    subject = models.CharField(_("тема"), max_length=300)

    class Meta:
        verbose_name = _("нагадування")
        verbose_name_plural = _("нагадування")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "rule"], name="statmon_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.rule}"


class ApiToken(models.Model):
    """A personal API token for systems that fill reports; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="statmon_tokens",
        verbose_name=_("користувач"),
    )
    name = models.CharField(_("призначення"), max_length=100, blank=True)
    prefix = models.CharField(_("початок токена"), max_length=12)
    digest = models.CharField(_("SHA-256 токена"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("створено"), default=timezone.now)
    last_used_at = models.DateTimeField(_("востаннє використано"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("відкликано"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токени")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class HromadaReport(models.Model):
    """The quarterly report of a hromada's council (ОМС) or military administration on its
    monitoring (Resolution 864 p.3(3)–(4)); items from data/statmon/hromada-v1.yaml."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("чернетка")
        SUBMITTED = "submitted", _("подано")

    organisation = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        related_name="hromada_reports",
        verbose_name=_("орган громади"),
    )
    period = models.CharField(_("квартал"), max_length=8)
    form_version = models.PositiveIntegerField(_("версія форми"), default=1)
    values = models.JSONField(_("значення"), default=dict, blank=True)
    status = models.CharField(
        _("стан"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("подано"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("квартальний звіт органу громади")
        verbose_name_plural = _("квартальні звіти органів громад")
        ordering = ["-period", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period"], name="hromada_report_once_per_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period}"
