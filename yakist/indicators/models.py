"""The methodology as versioned data, and what it computed: indicator results and ratings.

A methodology version is loaded from a reviewed file (data/methodology/*.yaml). Every result
row names the exact definition it was computed with; recomputing a period under a newer
definition adds rows, it never rewrites old ones.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.indicators.enums import Direction, Periodicity, ResultStatus, SubjectType


class MethodologyVersion(models.Model):
    code = models.CharField(_("версія"), max_length=20, unique=True)
    title = models.CharField(_("назва"), max_length=300)
    adopted_by = models.CharField(_("акт, яким затверджено"), max_length=300, blank=True)
    effective_from = models.DateField(_("діє з"))
    effective_to = models.DateField(_("діє до (включно)"), null=True, blank=True)
    source_file = models.CharField(_("файл"), max_length=200, blank=True)
    content_hash = models.CharField(_("SHA-256 файлу"), max_length=64)
    loaded_at = models.DateTimeField(_("завантажено"), default=timezone.now)
    # Rules beside the indicators (peer bands, rank interval, publication, deadlines), each
    # {code, name, name_en, text, text_en, basis, practice?} — see yakist/core/basis.py.
    rules = models.JSONField(_("правила"), default=list, blank=True)

    class Meta:
        verbose_name = _("версія методики")
        verbose_name_plural = _("версії методики")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="methodology_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class IndicatorDefinition(models.Model):
    """One indicator as a methodology version defines it."""

    methodology = models.ForeignKey(
        MethodologyVersion, models.CASCADE, related_name="definitions", verbose_name=_("методика")
    )
    code = models.CharField(_("код"), max_length=40)
    # Bumped when the formula or inputs change; equal versions across methodologies are equal.
    version = models.PositiveIntegerField(_("версія визначення"))
    name = models.CharField(_("назва"), max_length=300)
    name_en = models.CharField(_("назва англійською"), max_length=300)
    description = models.TextField(_("опис"))
    description_en = models.TextField(_("опис англійською"))
    formula = models.TextField(_("формула"))
    inputs = models.JSONField(_("вхідні дані"))  # ["cases"], ["statmon"], ["feedback"], …
    unit = models.CharField(_("одиниця"), max_length=20)
    direction = models.CharField(_("напрямок"), max_length=14, choices=Direction.choices)
    periodicity = models.CharField(_("періодичність"), max_length=10, choices=Periodicity.choices)
    subjects = models.JSONField(_("до кого застосовується"))  # list of SubjectType values
    min_sample = models.PositiveIntegerField(_("мінімальна вибірка"))
    legal_source = models.TextField(_("правове джерело"))
    # {"basis": …, "formula_basis": …, "min_sample_basis": …}: act | draft | model each.
    basis = models.JSONField(_("підстави"), default=dict, blank=True)
    # Practice of other countries: never a legal source.
    practice = models.TextField(_("практика"), blank=True)
    params = models.JSONField(_("параметри"), default=dict, blank=True)

    class Meta:
        verbose_name = _("визначення показника")
        verbose_name_plural = _("визначення показників")
        ordering = ["methodology", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "code"], name="definition_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.methodology.code})"


class RatingWeight(models.Model):
    """The weight of one indicator in the composite rating of a subject type."""

    methodology = models.ForeignKey(
        MethodologyVersion, models.CASCADE, related_name="weights", verbose_name=_("методика")
    )
    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectType.choices)
    indicator_code = models.CharField(_("показник"), max_length=40)
    weight = models.DecimalField(_("вага"), max_digits=5, decimal_places=4)
    basis = models.JSONField(_("підстава"), default=dict, blank=True)

    class Meta:
        verbose_name = _("вага показника в рейтингу")
        verbose_name_plural = _("ваги показників у рейтингу")
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "subject_type", "indicator_code"], name="weight_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.indicator_code}={self.weight}"


class IndicatorResult(models.Model):
    """A computed value for (definition, subject, period, breakdown), with its counts.

    `breakdown` is "" for the whole subject, or a slice such as "channel:online" or
    "service:00030". Values of a share are fractions in [0, 1]; the loyalty index is in
    [-100, 100]. Below the definition's minimum sample the value is NULL, status insufficient.
    """

    definition = models.ForeignKey(
        IndicatorDefinition, models.PROTECT, related_name="results", verbose_name=_("визначення")
    )
    indicator_code = models.CharField(_("показник"), max_length=40)  # = definition.code
    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(_("код суб'єкта"), max_length=40, blank=True)
    period = models.CharField(_("період"), max_length=8)  # Period.code: 2026Q3 or 2026
    breakdown = models.CharField(_("розріз"), max_length=60, blank=True, default="")
    value = models.FloatField(_("значення"), null=True, blank=True)
    numerator = models.FloatField(_("чисельник"), null=True, blank=True)
    denominator = models.FloatField(_("знаменник"), null=True, blank=True)
    n = models.PositiveIntegerField(_("обсяг вибірки"), default=0)
    ci_low = models.FloatField(_("нижня межа 95 % інтервалу"), null=True, blank=True)
    ci_high = models.FloatField(_("верхня межа 95 % інтервалу"), null=True, blank=True)
    extra = models.JSONField(_("подробиці"), default=dict, blank=True)
    status = models.CharField(_("стан"), max_length=12, choices=ResultStatus.choices)
    # Later revisions of the same figure (a correction or a newer methodology) keep the old row.
    revision = models.PositiveIntegerField(_("редакція"), default=1)
    is_current = models.BooleanField(_("чинна редакція"), default=True)
    computed_at = models.DateTimeField(_("розраховано"), default=timezone.now)

    class Meta:
        verbose_name = _("значення показника")
        verbose_name_plural = _("значення показників")
        indexes = [
            models.Index(fields=["indicator_code", "period", "subject_type", "is_current"]),
            models.Index(fields=["subject_type", "subject_key", "period"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "definition",
                    "subject_type",
                    "subject_key",
                    "period",
                    "breakdown",
                    "revision",
                ],
                name="result_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator_code", "subject_type", "subject_key", "period", "breakdown"],
                condition=Q(is_current=True),
                name="one_current_result",
            ),
            models.CheckConstraint(
                condition=~Q(status="ok") | Q(value__isnull=False), name="ok_result_has_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.subject_type}:{self.subject_key} {self.period}"


class RatingResult(models.Model):
    """A subject's place among its peers for a period under one methodology version."""

    methodology = models.ForeignKey(
        MethodologyVersion, models.PROTECT, related_name="ratings", verbose_name=_("методика")
    )
    subject_type = models.CharField(_("вид суб'єкта"), max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(_("код суб'єкта"), max_length=40)
    period = models.CharField(_("період"), max_length=8)
    peer_group = models.CharField(_("група порівняння"), max_length=60)
    score = models.FloatField(_("бал (0–100)"), null=True, blank=True)
    score_low = models.FloatField(_("нижня межа бала"), null=True, blank=True)
    score_high = models.FloatField(_("верхня межа бала"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("місце"), null=True, blank=True)
    rank_of = models.PositiveIntegerField(_("із скількох"), default=0)
    # 95 % interval of the place (rule `rating.rank_interval` of the methodology).
    rank_low = models.PositiveIntegerField(_("найкраще правдоподібне місце"), null=True, blank=True)
    rank_high = models.PositiveIntegerField(
        _("найгірше правдоподібне місце"), null=True, blank=True
    )
    # [{indicator, place_if_high, place_if_low, points_per_place, swing}], biggest swing first.
    movers = models.JSONField(_("що найбільше змінить місце"), default=list, blank=True)
    movement = models.IntegerField(_("зміна місця"), null=True, blank=True)
    status = models.CharField(_("стан"), max_length=12, choices=ResultStatus.choices)
    # [{indicator, value, normalised, weight, contribution, n, numerator, denominator, status}]
    components = models.JSONField(_("складові"), default=list)
    revision = models.PositiveIntegerField(_("редакція"), default=1)
    is_current = models.BooleanField(_("чинна редакція"), default=True)
    computed_at = models.DateTimeField(_("розраховано"), default=timezone.now)

    class Meta:
        verbose_name = _("місце в рейтингу")
        verbose_name_plural = _("рейтинг")
        indexes = [models.Index(fields=["subject_type", "period", "peer_group", "is_current"])]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "subject_type", "subject_key", "period", "revision"],
                name="rating_revision_unique",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_key", "period"],
                condition=Q(is_current=True),
                name="one_current_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_key} {self.period} #{self.rank}"


class DirtyPeriod(models.Model):
    """A (subject, period) whose inputs changed since it was last computed.

    Intake and report workflows mark; the engine recomputes exactly these and clears them.
    """

    subject_type = models.CharField(max_length=10, choices=SubjectType.choices)
    subject_key = models.CharField(max_length=40)
    period = models.CharField(max_length=8)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_key", "period"], name="dirty_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_key} {self.period}"


class CaseCube(models.Model):
    """Case counts per period by main centre × provider × channel (with the case's region and
    hromada). Counts add up, so every level and channel is a roll-up of these rows. A full run
    recounts the period; between full runs the projection appends each case's change as rows
    of differences (yakist/indicators/deltas.py), so a key may have several rows: readers sum."""

    period = models.CharField(max_length=8)
    main_centre_id = models.BigIntegerField(null=True)
    provider_id = models.BigIntegerField()
    # NULL like the case's own region/hromada: a case applied for online may have neither.
    region_id = models.CharField(max_length=19, null=True)  # noqa: DJ001
    hromada_id = models.CharField(max_length=19, null=True)  # noqa: DJ001
    channel = models.CharField(max_length=20)
    received = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    done_with_term = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    issued = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["period", "main_centre_id"]),
            models.Index(fields=["period", "provider_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.main_centre_id}/{self.provider_id}"


class DurationHistogram(models.Model):
    """Finished cases with a term by period × level × subject × bucket of their duration against
    the term (yakist/indicators/histograms.py): the medians and P90s of the incremental path.

    A key may have several rows: the projection appends its deltas (+1 in a case's new bucket,
    −1 in its old one) and readers sum them; a full run rewrites the period's rows."""

    period = models.CharField(max_length=8)
    level = models.CharField(max_length=10)
    # A main centre's or provider's id as text, a hromada's or region's code, "" the nation.
    subject = models.CharField(max_length=19, blank=True)
    bucket = models.IntegerField()
    cases = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["period", "level", "subject"])]

    def __str__(self) -> str:
        return f"{self.period} {self.level}:{self.subject} #{self.bucket}"


class ServiceSlice(models.Model):
    """Cases finished in a period with a term, and how many on time, by region × service: the
    per-service timeliness of regions and the nation. Kept like the cube: a full run recounts
    the period, the projection appends deltas between full runs, readers sum a key's rows."""

    period = models.CharField(max_length=8)
    # NULL like the case's own region (an online case of a provider without one).
    region_id = models.CharField(max_length=19, null=True)  # noqa: DJ001
    service_id = models.BigIntegerField()
    done_with_term = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["period", "region_id"])]

    def __str__(self) -> str:
        return f"{self.period} {self.region_id}/{self.service_id}"
