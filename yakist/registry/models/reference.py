"""The registry's reference data, the published read model of every later stage:
territories (KATOTTG), monitoring subjects, centres, services with their legal terms, and the
notices of subjects that monitor with their own tools.

Other apps may read these models (docs/architecture.md, "Published reads"); only registry
services write them.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.registry.enums import Status, TermUnit


class Territory(models.Model):
    """An object of the official KATOTTG codifier (oblast → raion → hromada → settlement)."""

    class Category(models.TextChoices):
        OBLAST = "O", _("Область / АРК")
        SPECIAL_CITY = "K", _("Місто зі спеціальним статусом")
        RAION = "P", _("Район")
        HROMADA = "H", _("Територіальна громада")
        CITY = "M", _("Місто")
        URBAN_SETTLEMENT = "T", _("Селище міського типу")
        VILLAGE = "C", _("Село")
        SETTLEMENT = "X", _("Селище")
        CITY_DISTRICT = "B", _("Район у місті")

    TOP_LEVEL = (Category.OBLAST, Category.SPECIAL_CITY)
    SETTLEMENTS = (
        Category.SPECIAL_CITY,
        Category.CITY,
        Category.URBAN_SETTLEMENT,
        Category.VILLAGE,
        Category.SETTLEMENT,
    )

    # The codifier's identifier is stable and unique, so it is the key: imports need no lookups.
    code = models.CharField(_("код КАТОТТГ"), max_length=19, primary_key=True)
    name = models.CharField(_("назва"), max_length=200)
    category = models.CharField(_("категорія"), max_length=1, choices=Category.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("батьківський об'єкт"),
    )
    # Denormalised ancestors: scope filters and roll-ups join on these, not on recursive trees.
    region = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("область / місто зі спецстатусом"),
    )
    hromada = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("громада"),
    )
    # Temporarily occupied since 2014 (Crimea, Sevastopol): no centre there is expected to report.
    occupied = models.BooleanField(_("тимчасово окупована"), default=False)

    class Meta:
        verbose_name = _("територія")
        verbose_name_plural = _("території")
        ordering = ["code"]
        indexes = [models.Index(fields=["category", "region"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_region(self) -> bool:
        return self.category in self.TOP_LEVEL

    @property
    def display_name(self) -> str:
        if self.category == self.Category.OBLAST and self.code != "UA01000000000013043":
            return f"{self.name} область"
        if self.category == self.Category.RAION:
            return f"{self.name} район"
        if self.category == self.Category.HROMADA:
            return f"{self.name} громада"
        prefix = {
            self.Category.CITY: "м. ",
            self.Category.SPECIAL_CITY: "м. ",
            self.Category.URBAN_SETTLEMENT: "смт ",
            self.Category.VILLAGE: "с. ",
            self.Category.SETTLEMENT: "с-ще ",
        }.get(self.category, "")
        return f"{prefix}{self.name}"


class Organisation(models.Model):
    """A monitoring subject or participating body other than a centre (Resolution 864, p. 6–7)."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Міністерство")
        REGIONAL_ADMINISTRATION = "regional_admin", _("Обласна / Київська міська держадміністрація")
        LOCAL_GOVERNMENT = "local_gov", _("Орган місцевого самоврядування")
        MILITARY_ADMINISTRATION = "military_admin", _("Військова адміністрація")
        PROVIDER = "provider", _("Суб'єкт надання адміністративних послуг")

    code = models.CharField(
        _("код"),
        max_length=40,
        unique=True,
        help_text=_("Код ЄДРПОУ (8 цифр) або інший стабільний ідентифікатор."),
    )
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("назва"), max_length=300)
    name_en = models.CharField(_("назва англійською"), max_length=300, blank=True)
    short_name = models.CharField(_("скорочена назва"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("вищий орган"),
    )
    territory = models.ForeignKey(
        Territory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("територія"),
    )
    region = models.ForeignKey(
        Territory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
    )
    address = models.CharField(_("адреса"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=60, blank=True)
    email = models.EmailField(_("електронна пошта"), blank=True)
    website = models.URLField(_("вебсайт"), blank=True)
    working_hours = models.CharField(_("графік роботи"), max_length=300, blank=True)
    status = models.CharField(
        _("стан"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    closed_on = models.DateField(_("дата закриття"), null=True, blank=True)

    class Meta:
        verbose_name = _("суб'єкт моніторингу")
        verbose_name_plural = _("суб'єкти моніторингу")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="organisation_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Centre(models.Model):
    """A service centre (ЦНАП) or one of its access points."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("ЦНАП")
        SUBDIVISION = "subdivision", _("Територіальний підрозділ ЦНАП")
        REMOTE_WORKPLACE = "remote_workplace", _("Віддалене робоче місце")
        MOBILE = "mobile", _("Мобільний ЦНАП")

    code = models.CharField(_("код"), max_length=40, unique=True)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.CENTRE)
    name = models.CharField(_("назва"), max_length=300)
    name_en = models.CharField(_("назва англійською"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="access_points",
        verbose_name=_("головний ЦНАП"),
    )
    founder = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="centres",
        verbose_name=_("утворювач"),
    )
    territory = models.ForeignKey(
        Territory,
        models.PROTECT,
        related_name="centres",
        verbose_name=_("населений пункт"),
    )
    hromada = models.ForeignKey(
        Territory,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("громада"),
    )
    region = models.ForeignKey(
        Territory,
        models.PROTECT,
        related_name="+",
        verbose_name=_("регіон"),
    )
    address = models.CharField(_("адреса"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=60, blank=True)
    email = models.EmailField(_("електронна пошта"), blank=True)
    website = models.URLField(_("вебсайт"), blank=True)
    working_hours = models.CharField(_("графік роботи"), max_length=300, blank=True)
    population_served = models.PositiveIntegerField(_("населення, що обслуговується"), default=0)
    status = models.CharField(
        _("стан"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    opened_on = models.DateField(_("дата відкриття"), null=True, blank=True)
    closed_on = models.DateField(_("дата закриття"), null=True, blank=True)

    class Meta:
        verbose_name = _("центр надання адміністративних послуг")
        verbose_name_plural = _("центри надання адміністративних послуг")
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["region", "kind"]), models.Index(fields=["hromada"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="centre_closed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="centre", parent__isnull=True) | ~Q(kind="centre"),
                name="centre_main_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def main_centre(self) -> "Centre":
        return self.parent or self


class Service(models.Model):
    """An administrative service from the Register of administrative services."""

    code = models.CharField(_("код"), max_length=20, unique=True)
    name = models.CharField(_("назва"), max_length=500)
    name_en = models.CharField(_("назва англійською"), max_length=500, blank=True)
    category = models.CharField(_("розділ"), max_length=200, blank=True)
    providers = models.ManyToManyField(
        Organisation,
        related_name="services",
        blank=True,
        verbose_name=_("суб'єкти надання"),
        limit_choices_to={"kind": Organisation.Kind.PROVIDER},
    )
    is_paid = models.BooleanField(_("платна"), default=False)
    fee = models.CharField(_("розмір плати"), max_length=200, blank=True)
    online_available = models.BooleanField(_("доступна онлайн"), default=False)
    legal_basis = models.CharField(_("нормативна підстава"), max_length=500, blank=True)
    source_note = models.CharField(_("джерело відомостей"), max_length=500, blank=True)
    synthetic = models.BooleanField(
        _("синтетична (демо)"),
        default=False,
        help_text=_("Послуга згенерована для демонстрації, а не взята з Реєстру."),
    )
    is_active = models.BooleanField(_("чинна"), default=True)

    class Meta:
        verbose_name = _("адміністративна послуга")
        verbose_name_plural = _("адміністративні послуги")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceTerm(models.Model):
    """The legal term of a service, versioned by the date it came into force.

    A case's deadline uses the term in force on the day the case was received, so a change
    of the law never moves the deadline of a case already open.
    """

    service = models.ForeignKey(
        Service, models.CASCADE, related_name="terms", verbose_name=_("послуга")
    )
    value = models.PositiveIntegerField(_("значення"), null=True, blank=True)
    unit = models.CharField(_("одиниця"), max_length=20, choices=TermUnit.choices)
    effective_from = models.DateField(_("діє з"))
    source = models.CharField(_("джерело"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("строк надання послуги")
        verbose_name_plural = _("строки надання послуг")
        ordering = ["service", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["service", "effective_from"], name="term_one_per_day"),
            models.CheckConstraint(
                condition=Q(unit="on_visit") | Q(value__gt=0), name="term_value_required"
            ),
        ]

    def __str__(self) -> str:
        if self.unit == TermUnit.ON_VISIT:
            return str(TermUnit(self.unit).label)
        return f"{self.value} {TermUnit(self.unit).label}"


class MonitoringNotice(models.Model):
    """A subject's notice to the ministry that it monitors with its own tools, «у довільній
    формі» (Resolution 864 p.3(1)): recorded so coverage shows it instead of a blank."""

    centre = models.ForeignKey(
        Centre,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_notices",
        verbose_name=_("центр"),
    )
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_notices",
        verbose_name=_("суб'єкт моніторингу"),
    )
    notified_on = models.DateField(_("дата повідомлення"))
    tools = models.TextField(_("власні засоби моніторингу"))
    contact = models.CharField(_("контактна особа / адреса"), max_length=300)
    document = models.FileField(_("документ повідомлення"), upload_to="notices/", blank=True)
    recorded_at = models.DateTimeField(_("внесено"), default=timezone.now)

    class Meta:
        verbose_name = _("повідомлення про запровадження моніторингу")
        verbose_name_plural = _("повідомлення про запровадження моніторингу")
        ordering = ["-notified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(centre__isnull=False) | Q(organisation__isnull=False),
                name="notice_names_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre or self.organisation} {self.notified_on}"
