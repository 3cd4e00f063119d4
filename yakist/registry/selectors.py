"""Reading the registry. Staff selectors take the viewer's scope; public ones show only
what is public anyway (the registry of centres and services is open information)."""

from __future__ import annotations

import datetime as dt
import functools
import threading

from django.db import connection
from django.db.models import Count, Q, QuerySet

from yakist.accounts.scope import Scope
from yakist.registry.enums import SystemBasis, SystemState
from yakist.registry.models import (
    Centre,
    ConnectedSystem,
    DataList,
    Organisation,
    Service,
    ServiceTerm,
    SystemKey,
    Territory,
    XRoadClient,
)


def regions() -> QuerySet[Territory]:
    """The 24 oblasts, Crimea, Kyiv and Sevastopol, in codifier order."""
    return Territory.objects.filter(category__in=Territory.TOP_LEVEL).order_by("code")


def territory_get(code: str) -> Territory | None:
    return Territory.objects.filter(code=code).first()


def centres_for(
    viewer: Scope,
    *,
    region: str | None = None,
    hromada: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Centre]:
    if viewer.system_id and not viewer.is_national:
        queryset = _centres_of_system(viewer.system_id)
    else:
        queryset = viewer.restrict(Centre.objects.all(), centre="", region="region")
    return _centre_filters(
        queryset, region=region, hromada=hromada, kind=kind, status=status, search=search
    )


def _centres_of_system(system_id: int) -> QuerySet[Centre]:
    """An integrator sees the centres its system may report for."""
    system = ConnectedSystem.objects.filter(pk=system_id).first()
    if system is None:
        return Centre.objects.none()
    if system.scope_all or system.scope_any_centre:
        return Centre.objects.all()
    return Centre.objects.filter(systems=system)


def centres_named_by_system(system_id: int) -> QuerySet[Centre]:
    """Centres the system's connection agreement names one by one; never "all centres". A
    system allowed to file events for any centre does not thereby act for every centre in
    anything else (e.g. its quarterly report)."""
    return Centre.objects.filter(systems=system_id)


def centres_public(
    *,
    region: str | None = None,
    hromada: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Centre]:
    return _centre_filters(
        Centre.objects.all(),
        region=region,
        hromada=hromada,
        kind=kind,
        status=status,
        search=search,
    )


def _centre_filters(queryset, *, region, hromada, kind, status, search) -> QuerySet[Centre]:
    if region:
        queryset = queryset.filter(region_id=region)
    if hromada:
        queryset = queryset.filter(hromada_id=hromada)
    if kind:
        queryset = queryset.filter(kind=kind)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(code__iexact=search)
            | Q(territory__name__icontains=search)
        )
    return queryset.select_related("territory", "hromada", "region", "parent").order_by(
        "region_id", "code"
    )


def centre_get_for(viewer: Scope, *, code: str) -> Centre | None:
    return centres_for(viewer).filter(code=code).first()


def centre_counts_by_region() -> list[dict]:
    """Per region: main centres and all access points, for the national overview."""
    rows = (
        Centre.objects.exclude(status="closed")
        .values("region_id", "region__name", "region__category")
        .annotate(
            centres=Count("pk", filter=Q(kind=Centre.Kind.CENTRE)),
            access_points=Count("pk"),
            suspended=Count("pk", filter=Q(status="suspended")),
        )
        .order_by("region_id")
    )
    return list(rows)


def services_public(*, search: str | None = None, online: bool | None = None) -> QuerySet[Service]:
    queryset = Service.objects.filter(is_active=True).prefetch_related("providers", "terms")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__iexact=search))
    if online is not None:
        queryset = queryset.filter(online_available=online)
    return queryset.order_by("code")


def service_term_on(service_id: int, day: dt.date) -> ServiceTerm | None:
    """The legal term in force on `day` (the day a case was received)."""
    return (
        ServiceTerm.objects.filter(service_id=service_id, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def current_term(service: Service) -> ServiceTerm | None:
    """The newest term among prefetched ones (use with services_public)."""
    terms = sorted(service.terms.all(), key=lambda term: term.effective_from)
    today = dt.date.today()
    in_force = [term for term in terms if term.effective_from <= today]
    return in_force[-1] if in_force else (terms[0] if terms else None)


def providers_for(viewer: Scope) -> QuerySet[Organisation]:
    queryset = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER)
    return viewer.restrict(queryset, provider="", region="region").order_by("name")


def systems_for(viewer: Scope) -> QuerySet[ConnectedSystem]:
    """Connected systems: the ministry sees all; an integrator its own; others those that
    report for centres in their scope."""
    queryset = ConnectedSystem.objects.all()
    if viewer.is_national:
        return queryset.prefetch_related("keys")
    if viewer.system_id:
        return queryset.filter(pk=viewer.system_id).prefetch_related("keys")
    if viewer.organisation_id:
        reach = Q(scope_providers=viewer.organisation_id)
    elif viewer.region_code or viewer.centre_id or viewer.hromada_code:
        reach = Q(scope_centres__in=centres_for(viewer).values("pk")) | Q(scope_any_centre=True)
    else:
        return queryset.none()
    return queryset.filter(Q(scope_all=True) | reach).distinct().prefetch_related("keys")


def registry_totals() -> dict[str, int]:
    centres = Centre.objects.exclude(status="closed")
    return {
        "regions": Territory.objects.filter(category__in=Territory.TOP_LEVEL).count(),
        "hromadas": Territory.objects.filter(category="H").count(),
        "centres": centres.filter(kind=Centre.Kind.CENTRE).count(),
        "access_points": centres.count(),
        "services": Service.objects.filter(is_active=True).count(),
        "providers": Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).count(),
        "systems": ConnectedSystem.objects.exclude(status="suspended").count(),
    }


# --- Connected systems, as the intake and the indicators need them (set-based) ---


def system_key_get(key_id: str) -> SystemKey | None:
    """A registered signing key with its system (revoked keys too: the caller says why not).

    Runs on every signed request. The key and its system, as the ORM loaded them, are kept
    per process and reused only while one plain query still reads the very row they were
    loaded with: every column of the key and of its system, and the system's latest data
    list. Any change (a revocation, a suspension, a new data list) shows on the next request
    exactly as a fresh load would; what is saved is the ORM's query compilation and model
    building, twice a request (docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_key_state_sql(), [key_id])
        state = cursor.fetchone()
    if state is None:
        _keys.pop(key_id, None)
        return None
    kept = _keys.get(key_id)
    if kept is not None and kept[0] == state:
        return kept[1]
    key = SystemKey.objects.select_related("system").filter(key_id=key_id).first()
    if key is not None:
        # Loaded after `state` was read: if the row changed in between, the next request's
        # state differs from the kept one and the key is loaded again.
        with _keys_lock:
            _keys[key_id] = (state, key)
    return key


_keys: dict[str, tuple[tuple, SystemKey]] = {}
_keys_lock = threading.Lock()


@functools.cache  # built once per process from the models, not on every signed request
def _key_state_sql() -> str:
    key_columns = ", ".join(f"k.{f.column}" for f in SystemKey._meta.concrete_fields)
    system_columns = ", ".join(f"s.{f.column}" for f in ConnectedSystem._meta.concrete_fields)
    lists = DataList._meta.db_table
    return (
        f"SELECT {key_columns}, {system_columns}, "  # noqa: S608 (names from the models)
        f"(SELECT count(*) FROM {lists} d WHERE d.system_id = s.id), "
        f"(SELECT max(d.id) FROM {lists} d WHERE d.system_id = s.id) "
        f"FROM {SystemKey._meta.db_table} k "
        f"JOIN {ConnectedSystem._meta.db_table} s ON s.id = k.system_id WHERE k.key_id = %s"
    )


def xroad_client_get(identifier: str) -> XRoadClient | None:
    """The X-Road client registered under this identifier, with its system."""
    return XRoadClient.objects.select_related("system").filter(identifier=identifier).first()


def data_list_current(system: ConnectedSystem) -> DataList | None:
    """The current version of a system's agreement data list, if one is recorded."""
    return DataList.objects.filter(system=system).order_by("-version").first()


def upload_channel_get(
    *, centre: Centre | None = None, provider: Organisation | None = None
) -> ConnectedSystem | None:
    """The upload channel of a centre or a provider, if it has uploaded before."""
    return ConnectedSystem.objects.filter(
        basis=SystemBasis.UPLOAD,
        **({"scope_centres": centre} if centre else {"scope_providers": provider}),
    ).first()


def centres_in_system_scopes(*, uploads: bool, active_only: bool) -> set[int]:
    """Ids of centres named in the connection scope of systems: upload channels (`uploads`)
    or systems that send events themselves; `active_only` leaves out testing and suspended
    ones. Scope "all" names no centre."""
    through = ConnectedSystem.scope_centres.through.objects.all()
    if uploads:
        through = through.filter(connectedsystem__basis=SystemBasis.UPLOAD)
    else:
        through = through.exclude(connectedsystem__basis=SystemBasis.UPLOAD)
    if active_only:
        through = through.filter(connectedsystem__status=SystemState.ACTIVE)
    return set(through.values_list("centre_id", flat=True))


def main_centre_ids(centre_ids: set[int]) -> set[int]:
    """The main centre of each given centre (an access point's parent, else itself)."""
    parents = dict(Centre.objects.filter(pk__in=centre_ids).values_list("pk", "parent_id"))
    return {parent or pk for pk, parent in parents.items()}


def access_point_ids(centre_ids: set[int]) -> set[int]:
    """Access points (territorial units, remote workplaces) of the given centres."""
    return set(Centre.objects.filter(parent_id__in=centre_ids).values_list("pk", flat=True))


def centre_places(centre_ids: set[int]) -> dict[int, tuple[int | None, str | None, str | None]]:
    """{centre id: (parent id, region code, hromada code)} for the given centres."""
    rows = Centre.objects.filter(pk__in=centre_ids).values_list(
        "pk", "parent_id", "region_id", "hromada_id"
    )
    return {pk: (parent, region, hromada) for pk, parent, region, hromada in rows}


def provider_regions(provider_ids: set[int]) -> dict[int, str | None]:
    """{provider id: region code} for the given providers."""
    return dict(Organisation.objects.filter(pk__in=provider_ids).values_list("pk", "region_id"))
