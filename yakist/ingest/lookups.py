"""The intake's read-only view of the registry: codes to ids and each system's scope.

Loaded in a few set queries and kept per process for a short time, so validating a batch of
a thousand events costs dictionary lookups, not queries. Registry edits reach the intake
within `TTL_SECONDS`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yakist.registry.enums import SystemBasis
from yakist.registry.models.reference import Centre, Organisation, Service

if TYPE_CHECKING:
    from yakist.registry.models import ConnectedSystem

TTL_SECONDS = 60
PROVIDER_KINDS = (Organisation.Kind.PROVIDER, Organisation.Kind.LOCAL_GOVERNMENT)


@dataclass(frozen=True)
class CentreRef:
    id: int
    parent_id: int | None


@dataclass(frozen=True)
class ProviderRef:
    id: int
    parent_id: int | None


@dataclass(frozen=True)
class Codes:
    services: dict[str, int]
    centres: dict[str, CentreRef]
    providers: dict[str, ProviderRef]


@dataclass(frozen=True)
class SystemScope:
    """A system's connection scope: centres and providers (each with its access points or
    territorial units). An event is in scope when its centre and its provider both are; an
    online event without a centre needs its provider only."""

    scope_all: bool
    centre_ids: frozenset[int]
    provider_ids: frozenset[int]
    any_centre: bool = False
    # A centre's upload channel (yakist.ingest.upload): its own file carries its cases whatever
    # their provider, as a provider's channel carries its cases from any centre.
    any_provider: bool = False

    def centre_allowed(self, centre: CentreRef | None) -> bool:
        return (
            self.scope_all
            or self.any_centre
            or centre is None
            or centre.id in self.centre_ids
            or centre.parent_id in self.centre_ids
        )

    def provider_allowed(self, provider: ProviderRef) -> bool:
        return (
            self.scope_all
            or self.any_provider
            or provider.id in self.provider_ids
            or provider.parent_id in self.provider_ids
        )

    def allows(self, centre: CentreRef | None, provider: ProviderRef) -> bool:
        return self.centre_allowed(centre) and self.provider_allowed(provider)


_lock = threading.Lock()
_codes: tuple[float, Codes] | None = None
_scopes: dict[int, tuple[float, SystemScope]] = {}


def codes() -> Codes:
    global _codes
    now = time.monotonic()
    cached = _codes
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    loaded = Codes(
        services=dict(Service.objects.filter(is_active=True).values_list("code", "pk")),
        centres={
            code: CentreRef(pk, parent)
            for code, pk, parent in Centre.objects.values_list("code", "pk", "parent_id")
        },
        providers={
            code: ProviderRef(pk, parent)
            for code, pk, parent in Organisation.objects.filter(
                kind__in=PROVIDER_KINDS
            ).values_list("code", "pk", "parent_id")
        },
    )
    with _lock:
        _codes = (now, loaded)
    return loaded


def system_scope(system: ConnectedSystem) -> SystemScope:
    now = time.monotonic()
    cached = _scopes.get(system.pk)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    centre_ids = frozenset(system.scope_centres.values_list("pk", flat=True))
    provider_ids = frozenset(system.scope_providers.values_list("pk", flat=True))
    scope = SystemScope(
        scope_all=system.scope_all,
        any_centre=system.scope_any_centre,
        centre_ids=centre_ids,
        provider_ids=provider_ids,
        any_provider=system.basis == SystemBasis.UPLOAD and not provider_ids,
    )
    with _lock:
        _scopes[system.pk] = (now, scope)
    return scope


def lookups_clear() -> None:
    """Forget cached codes and scopes (after registry changes in tests and commands)."""
    global _codes
    with _lock:
        _codes = None
        _scopes.clear()
