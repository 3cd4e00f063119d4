"""People, their role and scope, and the audit trail."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakist.accounts.enums import Role


class StaffProfile(models.Model):
    """A staff member's one role and the territory or organisation it is limited to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("користувач"),
    )
    role = models.CharField(_("роль"), max_length=30, choices=Role.choices)
    region = models.ForeignKey(
        "registry.Territory",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("регіон"),
        limit_choices_to={"category__in": ["O", "K"]},
    )
    centre = models.ForeignKey(
        "registry.Centre",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("центр"),
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("суб'єкт надання / орган"),
    )
    system = models.ForeignKey(
        "registry.ConnectedSystem",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("інформаційна система"),
    )
    position = models.CharField(_("посада"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("профіль посадовця")
        verbose_name_plural = _("профілі посадовців")
        constraints = [
            # The scope a role needs must be set, so no one is scoped to "everything" by mistake.
            models.CheckConstraint(
                condition=~Q(role="regional_coordinator") | Q(region__isnull=False),
                name="coordinator_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role="centre_admin") | Q(centre__isnull=False),
                name="centre_admin_has_centre",
            ),
            models.CheckConstraint(
                condition=~Q(role="provider_officer") | Q(organisation__isnull=False),
                name="provider_officer_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(role="system_integrator") | Q(system__isnull=False),
                name="integrator_has_system",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["local_gov_official", "military_admin_official"])
                | Q(organisation__isnull=False),
                name="hromada_official_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class AuditEntry(models.Model):
    """Who did what, when: logins, every registry change, every access to case data.

    Append-only: written by yakist.accounts.services.audit_record(_many) only, chained by hash,
    and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002).
    """

    at = models.DateTimeField(_("час"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("хто"),
    )
    # Kept as text too, so the trail survives the deletion of an account.
    actor_name = models.CharField(_("ім'я користувача"), max_length=150, blank=True)
    action = models.CharField(_("дія"), max_length=40, db_index=True)
    object_type = models.CharField(_("тип об'єкта"), max_length=60, blank=True)
    object_id = models.CharField(_("ідентифікатор об'єкта"), max_length=80, blank=True)
    summary = models.CharField(_("опис"), max_length=500, blank=True)
    changes = models.JSONField(_("зміни"), default=dict, blank=True)
    # The hash chain (yakist.accounts.auditchain): a keyed digest of the client address (the
    # address itself is kept apart, in AuditAddress, and erased after its retention), the
    # previous entry's hash and this entry's own.
    ip_digest = models.CharField(_("відбиток IP-адреси"), max_length=64, blank=True)
    prev_hash = models.CharField(_("геш попереднього запису"), max_length=64, blank=True)
    entry_hash = models.CharField(_("геш запису"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("запис журналу аудиту")
        verbose_name_plural = _("журнал аудиту")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    @property
    def ip(self) -> str | None:
        """The client address, while it is kept (see AuditAddress)."""
        try:
            return self.address.ip
        except ObjectDoesNotExist:
            return None


class AuditAddress(models.Model):
    """The client address of an audit entry, kept apart from the entry. An entry is never
    changed once written (and is what an integrity check covers); an address is personal data
    and is deleted after settings.AUDIT_IP_RETENTION_DAYS (yakist.core.retention), which then
    touches this table only."""

    entry = models.OneToOneField(
        AuditEntry,
        models.CASCADE,
        primary_key=True,
        related_name="address",
        verbose_name=_("запис журналу аудиту"),
    )
    ip = models.GenericIPAddressField(_("IP-адреса"))
    # The entry's time, copied so that retention needs no join.
    at = models.DateTimeField(_("час"), db_index=True)

    class Meta:
        verbose_name = _("IP-адреса запису аудиту")
        verbose_name_plural = _("IP-адреси записів аудиту")

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.ip}"
