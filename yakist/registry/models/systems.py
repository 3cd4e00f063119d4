"""Connected systems, their keys, X-Road clients and agreement data lists.

Private to the registry: other stages reach them through `yakist.registry.selectors` and
`yakist.registry.services`.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.registry.enums import SystemBasis, SystemState
from yakist.registry.models.reference import Centre, Organisation


class ConnectedSystem(models.Model):
    """An information system that sends signed case events (connection agreement, Order 145 p.5)."""

    # The vocabularies live in registry/enums.py so other stages can name them.
    State = SystemState
    Basis = SystemBasis

    name = models.CharField(_("назва"), max_length=200, unique=True)
    operator = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="systems",
        verbose_name=_("оператор (технічний адміністратор)"),
    )
    status = models.CharField(
        _("стан"), max_length=12, choices=State.choices, default=State.TESTING
    )
    basis = models.CharField(
        _("підстава підключення"), max_length=12, choices=Basis.choices, default=Basis.AGREEMENT
    )
    agreement_number = models.CharField(
        _("номер договору про підключення"), max_length=100, blank=True
    )
    agreement_date = models.DateField(_("дата договору про підключення"), null=True, blank=True)
    agreement_file = models.FileField(
        _("файл договору про підключення"), upload_to="agreements/", blank=True
    )
    agreement_data_version = models.CharField(
        _("версія переліку даних"),
        max_length=20,
        default="1.0",
        help_text=_("Версія переліку відомостей і формату з договору про підключення."),
    )
    # The connection scope (docs/integration.md): an event is accepted when its centre and its
    # provider are both in scope. `scope_all` marks a national system (any centre, any
    # provider); `scope_any_centre` a provider's system that reports its own services from any
    # centre. Setting either mark is audited (registry.services.system_scope_set).
    scope_all = models.BooleanField(_("усі центри та суб'єкти надання"), default=False)
    scope_any_centre = models.BooleanField(
        _("будь-який центр"),
        default=False,
        help_text=_(
            "Система подає події про послуги суб'єктів надання зі своєї зони з будь-якого центру."
        ),
    )
    scope_centres = models.ManyToManyField(
        Centre, blank=True, related_name="systems", verbose_name=_("центри в зоні підключення")
    )
    scope_providers = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="provider_systems",
        verbose_name=_("суб'єкти надання в зоні підключення"),
    )
    contact_email = models.EmailField(_("контактна пошта"), blank=True)
    created_at = models.DateTimeField(_("зареєстровано"), default=timezone.now)

    class Meta:
        verbose_name = _("підключена інформаційна система")
        verbose_name_plural = _("підключені інформаційні системи")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SystemKey(models.Model):
    """A public key of a connected system. Several may be valid at once, for rotation."""

    system = models.ForeignKey(
        ConnectedSystem, models.CASCADE, related_name="keys", verbose_name=_("система")
    )
    key_id = models.CharField(_("ідентифікатор ключа"), max_length=64, unique=True)
    algorithm = models.CharField(_("алгоритм"), max_length=20, default="ed25519")
    public_key_pem = models.TextField(_("відкритий ключ (PEM)"))
    fingerprint = models.CharField(_("відбиток SHA-256"), max_length=64, unique=True)
    valid_from = models.DateTimeField(_("дійсний з"), default=timezone.now)
    valid_until = models.DateTimeField(_("дійсний до"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("відкликано"), null=True, blank=True)
    revoked_reason = models.CharField(_("причина відкликання"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("створено"), auto_now_add=True)

    class Meta:
        verbose_name = _("ключ системи")
        verbose_name_plural = _("ключі систем")
        ordering = ["system", "-valid_from"]

    def __str__(self) -> str:
        return self.key_id

    def is_valid_at(self, moment) -> bool:
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        if moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until


class XRoadClient(models.Model):
    """A «Трембіта» (X-Road) client identifier under which a system calls the intake.

    A system may have several (e.g. a subsystem per environment) and keys besides: moving from
    the signed pilot API to Trembita keeps the same system and so its event history.
    """

    system = models.ForeignKey(
        ConnectedSystem, models.CASCADE, related_name="xroad_clients", verbose_name=_("система")
    )
    # INSTANCE/CLASS/MEMBER[/SUBSYSTEM], as the security server sends it in X-Road-Client.
    identifier = models.CharField(_("ідентифікатор клієнта X-Road"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("додано"), default=timezone.now)

    class Meta:
        verbose_name = _("клієнт «Трембіти» (X-Road)")
        verbose_name_plural = _("клієнти «Трембіти» (X-Road)")
        ordering = ["system", "identifier"]

    def __str__(self) -> str:
        return self.identifier


class DataList(models.Model):
    """The data list of a connection agreement (Order 145 p.5): which event types and fields
    a system sends and which fields it must send beyond the common minimum. A changed list is
    a new version; journal entries keep the version their events were checked against."""

    system = models.ForeignKey(
        ConnectedSystem, models.CASCADE, related_name="data_lists", verbose_name=_("система")
    )
    version = models.PositiveIntegerField(_("версія переліку даних"))
    schema_version = models.CharField(_("версія схеми подій"), max_length=20, default="1.0")
    event_types = models.JSONField(_("типи подій"), default=list)
    fields = models.JSONField(_("поля подій"), default=list)
    required = models.JSONField(_("обов'язкові поля понад спільний мінімум"), default=list)
    effective_from = models.DateTimeField(_("діє з"), default=timezone.now)

    class Meta:
        verbose_name = _("перелік даних договору про підключення")
        verbose_name_plural = _("переліки даних договорів про підключення")
        ordering = ["system", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["system", "version"], name="data_list_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.system} v{self.version}"
