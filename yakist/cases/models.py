"""Cases: one row per (system, case number), projected from the case's events.

The row is the set-friendly fact table later stages read (timeliness, refusals, online share,
satisfaction, coverage): every column a methodology needs is here and indexed, so indicators
aggregate without touching the event tables. See docs/architecture.md, "Cases".
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakist.cases.enums import CaseStatus
from yakist.ingest.enums import Channel

FINAL_STATUSES = (CaseStatus.ISSUED, CaseStatus.REFUSED, CaseStatus.WITHDRAWN)
# Cases whose legal term still runs (a suspended case's clock is stopped, see deadlines.py).
OPEN_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.REGISTERED, CaseStatus.IN_PROGRESS)


class Case(models.Model):
    """The state of one case as its events tell it, with its legal deadline."""

    # Foreign keys carry no index of their own: the composite indexes below lead with them.
    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.PROTECT,
        db_index=False,
        related_name="cases",
        verbose_name=_("система"),
    )
    case_id = models.CharField(_("номер справи в системі"), max_length=100)
    # Cases of systems in testing: shown to their integrator, never counted.
    sandbox = models.BooleanField(_("пісочниця"), default=False)
    service = models.ForeignKey(
        "registry.Service",
        models.PROTECT,
        db_index=False,
        related_name="cases",
        verbose_name=_("послуга"),
    )
    centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("центр (точка доступу)"),
    )
    main_centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("головний ЦНАП"),
    )
    region = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
    )
    hromada = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("громада"),
    )
    provider = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        db_index=False,
        related_name="cases",
        verbose_name=_("суб'єкт надання"),
    )
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices)
    applicant_pseudonym = models.CharField(_("псевдонім заявника"), max_length=64, blank=True)
    status = models.CharField(_("стан"), max_length=16, choices=CaseStatus.choices)
    outcome = models.CharField(
        _("результат"),
        max_length=16,
        blank=True,
        choices=[(s.value, s.label) for s in FINAL_STATUSES],
    )
    received_at = models.DateTimeField(_("отримано"))
    registered_at = models.DateTimeField(_("зареєстровано"), null=True, blank=True)
    completed_at = models.DateTimeField(_("розглянуто"), null=True, blank=True)
    # When the result was ready (completion, or refusal/issue without a completion event) —
    # what timeliness compares with the deadline; for withdrawn cases, the withdrawal.
    done_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    term_value = models.PositiveIntegerField(_("строк"), null=True, blank=True)
    term_unit = models.CharField(_("одиниця строку"), max_length=20, blank=True)
    due_at = models.DateTimeField(_("кінцевий строк"), null=True, blank=True)
    at_risk_from = models.DateTimeField(_("під загрозою з"), null=True, blank=True)
    on_time = models.BooleanField(_("вчасно"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("днів прострочення"), null=True, blank=True)
    suspended_seconds = models.PositiveBigIntegerField(_("тривалість зупинення, с"), default=0)
    rating = models.PositiveSmallIntegerField(_("оцінка заявника"), null=True, blank=True)
    rated_at = models.DateTimeField(_("час оцінки"), null=True, blank=True)
    quality_issues = models.JSONField(_("проблеми якості даних"), default=list, blank=True)
    has_quality_issues = models.BooleanField(_("є проблеми якості даних"), default=False)
    event_count = models.PositiveIntegerField(_("подій"), default=0)
    last_event_at = models.DateTimeField(_("остання подія"))
    projected_at = models.DateTimeField(_("оновлено"))

    class Meta:
        verbose_name = _("справа")
        verbose_name_plural = _("справи")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "sandbox", "case_id"], name="cases_case_one_per_system"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=10), name="cases_rating_0_10"
            ),
            models.CheckConstraint(
                condition=Q(on_time__isnull=True) | Q(done_at__isnull=False),
                name="cases_on_time_needs_done",
            ),
        ]
        indexes = [
            models.Index(fields=["received_at"], name="cases_received"),
            models.Index(fields=["done_at"], name="cases_done"),
            models.Index(fields=["main_centre", "received_at"], name="cases_main_centre"),
            models.Index(fields=["centre", "received_at"], name="cases_centre"),
            models.Index(fields=["region", "received_at"], name="cases_region"),
            models.Index(fields=["provider", "received_at"], name="cases_provider"),
            models.Index(fields=["service", "received_at"], name="cases_service"),
            models.Index(fields=["status", "due_at"], name="cases_status_due"),
        ]

    def __str__(self) -> str:
        return self.case_id
