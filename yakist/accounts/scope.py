"""Least privilege in one place: what part of the country a viewer may see.

Every selector that returns monitored data passes its queryset through `Scope.restrict`,
naming the paths from that model to a centre, a region and a provider. A role with no path
to the data sees nothing, never everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yakist.accounts.enums import Role
from yakist.core.problems import Forbidden

NATIONAL_ROLES = {Role.MINISTRY_ANALYST, Role.AUDITOR}
# Officials of a hromada's council (ОМС) or military administration see their hromada.
HROMADA_ROLES = {Role.LOCAL_GOV_OFFICIAL, Role.MILITARY_ADMIN_OFFICIAL}


@dataclass(frozen=True)
class Scope:
    role: str | None
    region_code: str | None = None
    centre_id: int | None = None
    organisation_id: int | None = None
    system_id: int | None = None
    superuser: bool = False
    hromada_code: str | None = None

    @property
    def is_staff(self) -> bool:
        """Has a staff role (or is a superuser): may open staff pages at all."""
        return self.superuser or self.role is not None

    @property
    def can_write(self) -> bool:
        """May change anything through a staff page. The auditor reads everything and writes
        nothing; a login without a role does neither."""
        return self.is_staff and (self.superuser or self.role != Role.AUDITOR)

    @property
    def is_national(self) -> bool:
        return self.superuser or self.role in NATIONAL_ROLES

    @property
    def can_edit_registry(self) -> bool:
        return self.superuser or self.role == Role.MINISTRY_ANALYST

    @property
    def can_read_audit(self) -> bool:
        return self.superuser or self.role in NATIONAL_ROLES

    def restrict(
        self,
        queryset: QuerySet,
        *,
        centre: str | None = None,
        region: str | None = None,
        provider: str | None = None,
        system: str | None = None,
        hromada: str | None = None,
    ) -> QuerySet:
        """Filter `queryset` to this scope.

        `centre`, `region`, `provider`, `system` are lookup paths from the queryset's model to a
        Centre, a region Territory, a provider Organisation and a ConnectedSystem; an empty
        string means the model itself. Paths not given mean "this role cannot reach the data".
        `hromada` is a path to a field holding a hromada's KATOTTG code (for rows about a
        hromada itself); a hromada official also reaches rows through the centre's hromada.
        """
        if self.is_national:
            return queryset
        condition = self._condition(centre=centre, region=region, provider=provider, system=system)
        if self.role in HROMADA_ROLES and self.hromada_code:
            condition = self._hromada_condition(centre=centre, hromada=hromada)
        if condition is None:
            return queryset.none()
        return queryset.filter(condition)

    def _condition(
        self, *, centre: str | None, region: str | None, provider: str | None, system: str | None
    ) -> Q | None:
        if self.role == Role.REGIONAL_COORDINATOR and region is not None and self.region_code:
            return Q(**{_path(region, "pk"): self.region_code})
        if self.role == Role.CENTRE_ADMIN and centre is not None and self.centre_id:
            # A centre administrator also sees the centre's access points.
            return Q(**{_path(centre, "pk"): self.centre_id}) | Q(
                **{_path(centre, "parent_id"): self.centre_id}
            )
        if self.role == Role.PROVIDER_OFFICER and provider is not None and self.organisation_id:
            return Q(**{_path(provider, "pk"): self.organisation_id})
        if self.role == Role.SYSTEM_INTEGRATOR and system is not None and self.system_id:
            return Q(**{_path(system, "pk"): self.system_id})
        return None

    def _hromada_condition(self, *, centre: str | None, hromada: str | None) -> Q | None:
        condition = None
        if centre is not None:
            condition = Q(**{_path(centre, "hromada_id"): self.hromada_code})
        if hromada is not None:
            by_code = Q(**{hromada: self.hromada_code})
            condition = by_code if condition is None else condition | by_code
        return condition


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


NO_ACCESS = Scope(role=None)


class ReadOnlyRole(Forbidden, PermissionDenied):
    """A write service was called by someone whose role writes nothing (the auditor, a login
    without a role). Services raise it themselves, so no view can forget the check; being also
    Django's PermissionDenied, a staff page that lets it through answers 403, the API a 403
    problem."""

    slug = "read-only-role"
    title = _("Ваша роль не дозволяє змінювати дані")
    description = _(
        "Аудитор переглядає все, але нічого не змінює; користувач без ролі не має доступу до "
        "службових дій."
    )


def require_write(actor) -> Scope | None:
    """The scope of a person about to change data, or ReadOnlyRole. `None` is the system itself
    (commands, the demo, the worker) and may write."""
    if actor is None:
        return None
    scope = scope_of(actor)
    if not scope.can_write:
        raise ReadOnlyRole()
    return scope


def scope_of(user) -> Scope:
    """The scope of a request's user, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return NO_ACCESS
    cached = getattr(user, "_yakist_scope", None)
    if cached is not None:
        return cached
    profile = getattr(user, "staff_profile", None) if hasattr(user, "staff_profile") else None
    if profile is None:
        scope = Scope(role=None, superuser=user.is_superuser)
    else:
        # Only the field that defines the role's reach is kept: a region left on a centre
        # administrator's profile must not widen what the administrator sees anywhere.
        role = profile.role
        scope = Scope(
            role=role,
            region_code=profile.region_id if role == Role.REGIONAL_COORDINATOR else None,
            centre_id=profile.centre_id if role == Role.CENTRE_ADMIN else None,
            organisation_id=profile.organisation_id if role == Role.PROVIDER_OFFICER else None,
            system_id=profile.system_id if role == Role.SYSTEM_INTEGRATOR else None,
            superuser=user.is_superuser,
            hromada_code=_hromada_of(profile) if role in HROMADA_ROLES else None,
        )
    user._yakist_scope = scope
    return scope


def _hromada_of(profile) -> str | None:
    """The hromada an ОМС or military administration acts for: its organisation's territory
    (a hromada in KATOTTG, or the hromada of a settlement)."""
    organisation = profile.organisation
    territory = organisation.territory if organisation is not None else None
    if territory is None:
        return None
    if territory.category == territory.Category.HROMADA:
        return territory.code
    return territory.hromada_id
