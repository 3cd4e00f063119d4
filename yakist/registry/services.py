"""State changes in the registry. Each change leaves an audit entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.services import audit_record
from yakist.core.problems import Conflict, NotFound, Problem
from yakist.registry.enums import SystemBasis, SystemState
from yakist.registry.keys import (
    fingerprint,
    key_id_for,
    load_ed25519_public_key,
    public_key_pem,
)
from yakist.registry.models import (
    Centre,
    ConnectedSystem,
    DataList,
    MonitoringNotice,
    Organisation,
    SystemKey,
    XRoadClient,
)
from yakist.registry.xroad import XRoadClientInvalid, xroad_client_parse


class UnknownScopeCode(Problem):
    slug = "unknown-scope-code"
    status = 400
    title = gettext_lazy("Невідомий код у зоні підключення")
    description = gettext_lazy(
        "Зона підключення має складатися з кодів центрів або суб'єктів надання з реєстру, або all."
    )


class ScopeWithoutProvider(Problem):
    slug = "scope-without-provider"
    status = 400
    title = gettext_lazy("Зона підключення без суб'єкта надання")
    description = gettext_lazy(
        "Подію приймають, лише коли і центр, і суб'єкт надання в зоні підключення системи; "
        "зона без жодного суб'єкта надання не пропустила б жодної події."
    )


PROVIDER_KINDS = (Organisation.Kind.PROVIDER, Organisation.Kind.LOCAL_GOVERNMENT)


def scope_resolve(codes: list[str]) -> tuple[list[Centre], list[Organisation]]:
    """Split codes into centres and providers (a provider or a local council providing its
    own services); every code must exist."""
    wanted = {code.strip() for code in codes if code.strip()}
    centres = list(Centre.objects.filter(code__in=wanted))
    providers = list(Organisation.objects.filter(code__in=wanted, kind__in=PROVIDER_KINDS))
    unknown = wanted - {c.code for c in centres} - {p.code for p in providers}
    if unknown:
        raise UnknownScopeCode(
            _("Коди не знайдено серед центрів і суб'єктів надання: %(codes)s")
            % {"codes": ", ".join(sorted(unknown))}
        )
    return centres, providers


def _scope_state(system: ConnectedSystem) -> dict:
    return {
        "scope_all": system.scope_all,
        "scope_any_centre": system.scope_any_centre,
        "centres": sorted(system.scope_centres.values_list("code", flat=True)),
        "providers": sorted(system.scope_providers.values_list("code", flat=True)),
    }


def _scope_apply(
    system: ConnectedSystem, *, scope: list[str] | None, any_centre: bool
) -> tuple[list[Centre], list[Organisation]]:
    centres, providers = scope_resolve(scope) if scope is not None else ([], [])
    if scope is not None and not providers:
        raise ScopeWithoutProvider(
            _(
                "Вкажіть у зоні підключення щонайменше один код суб'єкта надання (разом із "
                "кодами центрів або з позначкою «будь-який центр»), або all."
            )
        )
    system.scope_all = scope is None
    system.scope_any_centre = any_centre and scope is not None
    system.save(update_fields=["scope_all", "scope_any_centre"])
    system.scope_centres.set(centres)
    system.scope_providers.set(providers)
    return centres, providers


@transaction.atomic
def system_add(
    *,
    name: str,
    public_key: bytes | str,
    scope: list[str] | None,
    status: str = ConnectedSystem.State.TESTING,
    operator: Organisation | None = None,
    valid_until: dt.datetime | None = None,
    xroad_clients: list[str] = (),
    any_centre: bool = False,
    actor=None,
) -> SystemKey:
    """Register a connected system with its first key (and any X-Road client identifiers).
    `scope=None` means all centres and providers; otherwise the codes must name at least one
    provider, and `any_centre` lets the system report those providers' cases from any centre."""
    key = load_ed25519_public_key(public_key)
    system = _system_create(
        name=name,
        scope=scope,
        any_centre=any_centre,
        status=status,
        operator=operator,
        actor=actor,
    )
    for identifier in xroad_clients:
        system_xroad_client_add(system=system, identifier=identifier, actor=actor)
    return system_key_add(system=system, public_key=key, valid_until=valid_until, actor=actor)


@transaction.atomic
def system_xroad_add(
    *,
    name: str,
    xroad_clients: list[str],
    scope: list[str] | None,
    status: str = ConnectedSystem.State.TESTING,
    operator: Organisation | None = None,
    any_centre: bool = False,
    actor=None,
) -> ConnectedSystem:
    """Register a connected system that calls only through «Трембіта» (no signing key)."""
    if not xroad_clients:
        raise XRoadClientInvalid(_("Вкажіть ідентифікатор клієнта X-Road або відкритий ключ."))
    system = _system_create(
        name=name,
        scope=scope,
        any_centre=any_centre,
        status=status,
        operator=operator,
        actor=actor,
    )
    for identifier in xroad_clients:
        system_xroad_client_add(system=system, identifier=identifier, actor=actor)
    return system


def _system_create(
    *,
    name: str,
    scope: list[str] | None,
    any_centre: bool,
    status: str,
    operator: Organisation | None,
    actor,
) -> ConnectedSystem:
    if ConnectedSystem.objects.filter(name=name).exists():
        raise Conflict(_("Система з назвою «%(name)s» уже зареєстрована.") % {"name": name})
    system = ConnectedSystem.objects.create(name=name, status=status, operator=operator)
    centres, providers = _scope_apply(system, scope=scope, any_centre=any_centre)
    audit_record(
        actor=actor,
        action="system_add",
        obj=system,
        changes={
            "status": status,
            "scope": "all"
            if scope is None
            else sorted(c.code for c in centres) + sorted(p.code for p in providers),
            "scope_all": system.scope_all,
            "scope_any_centre": system.scope_any_centre,
        },
    )
    return system


@transaction.atomic
def system_xroad_client_add(*, system: ConnectedSystem, identifier: str, actor=None) -> XRoadClient:
    """Let a system call through «Трембіта» as this X-Road client (keys, if any, stay valid)."""
    identifier = xroad_client_parse(identifier)
    if XRoadClient.objects.filter(identifier=identifier).exists():
        raise Conflict(_("Клієнта X-Road «%(id)s» уже зареєстровано.") % {"id": identifier})
    client = XRoadClient.objects.create(system=system, identifier=identifier)
    audit_record(
        actor=actor,
        action="xroad_client_add",
        obj=system,
        summary=f"{system.name}: {identifier}",
        changes={"xroad_client": identifier},
    )
    return client


@transaction.atomic
def system_scope_set(
    *, system: ConnectedSystem, scope: list[str] | None, any_centre: bool = False, actor=None
) -> ConnectedSystem:
    """Change a system's connection scope (codes, or None for all); the change, including
    setting or clearing the "all" and "any centre" marks, is audited."""
    before = _scope_state(system)
    _scope_apply(system, scope=scope, any_centre=any_centre)
    after = _scope_state(system)
    audit_record(
        actor=actor,
        action="system_scope",
        obj=system,
        changes={
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        },
    )
    return system


@transaction.atomic
def system_key_add(
    *,
    system: ConnectedSystem,
    public_key,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    actor=None,
) -> SystemKey:
    """Add a key to a system (rotation: the old keys stay valid until revoked or expired)."""
    key = (
        public_key
        if not isinstance(public_key, (bytes, str))
        else load_ed25519_public_key(public_key)
    )
    print_ = fingerprint(key)
    if SystemKey.objects.filter(fingerprint=print_).exists():
        raise Conflict(
            _("Цей відкритий ключ уже зареєстровано. Для ротації згенеруйте новий ключ.")
        )
    system_key = SystemKey.objects.create(
        system=system,
        key_id=key_id_for(key),
        public_key_pem=public_key_pem(key),
        fingerprint=print_,
        valid_from=valid_from or timezone.now(),
        valid_until=valid_until,
    )
    audit_record(
        actor=actor,
        action="key_add",
        obj=system_key,
        summary=f"{system.name}: {system_key.key_id}",
        changes={"fingerprint": print_, "valid_until": str(valid_until) if valid_until else None},
    )
    return system_key


@transaction.atomic
def system_key_revoke(*, key_id: str, reason: str = "", actor=None) -> SystemKey:
    try:
        system_key = SystemKey.objects.select_for_update().get(key_id=key_id)
    except SystemKey.DoesNotExist as error:
        raise NotFound(_("Ключ «%(key)s» не знайдено.") % {"key": key_id}) from error
    if system_key.revoked_at is not None:
        raise Conflict(_("Ключ «%(key)s» уже відкликано.") % {"key": key_id})
    system_key.revoked_at = timezone.now()
    system_key.revoked_reason = reason[:300]
    system_key.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="key_revoke",
        obj=system_key,
        summary=f"{system_key.system.name}: {key_id}",
        changes={"reason": reason},
    )
    return system_key


@transaction.atomic
def system_status_set(*, system: ConnectedSystem, status: str, actor=None) -> ConnectedSystem:
    before = system.status
    system.status = status
    system.save(update_fields=["status"])
    audit_record(
        actor=actor, action="system_status", obj=system, changes={"status": [before, status]}
    )
    return system


@transaction.atomic
def data_list_store(
    *,
    system: ConnectedSystem,
    event_types: list[str],
    fields: list[str],
    required: list[str],
    schema_version: str = "1.0",
    actor=None,
) -> DataList:
    """Store the data list of a system's connection agreement (Order 145 p.5), already checked
    against the intake's vocabulary (`yakist.ingest.datalist.data_list_set`). A list that
    differs from the current one becomes a new version; the same list changes nothing."""
    current = system.data_lists.order_by("-version").first()
    wanted = {
        "event_types": sorted(set(event_types)),
        "fields": sorted(set(fields)),
        "required": sorted(set(required)),
        "schema_version": schema_version,
    }
    if current is not None and all(getattr(current, k) == v for k, v in wanted.items()):
        return current
    data_list = DataList.objects.create(
        system=system, version=(current.version + 1) if current else 1, **wanted
    )
    ConnectedSystem.objects.filter(pk=system.pk).update(
        agreement_data_version=str(data_list.version)
    )
    audit_record(actor=actor, action="data_list_set", obj=system, changes=wanted)
    return data_list


def monitoring_notice_record(
    *,
    notified_on: dt.date,
    tools: str,
    contact: str,
    document=None,
    centre: Centre | None = None,
    provider: Organisation | None = None,
    organisation: Organisation | None = None,
    actor=None,
) -> MonitoringNotice:
    """Record a subject's notice that it monitors with its own tools (Resolution 864
    p.3(1), «у довільній формі»); coverage shows it for the subject."""
    notice = MonitoringNotice(
        centre=centre,
        organisation=organisation or provider,
        notified_on=notified_on,
        tools=tools,
        contact=contact,
    )
    if document is not None:
        notice.document.save(document.name, document, save=False)
    notice.save()
    audit_record(
        actor=actor,
        action="monitoring_notice_record",
        obj=notice,
        changes={"notified_on": notified_on.isoformat()},
    )
    return notice


def upload_channel_create(
    *, name: str, centre: Centre | None = None, provider: Organisation | None = None
) -> ConnectedSystem:
    """The upload channel of a subject not connected (Resolution 864 p.3(1)): a centre's
    channel takes its cases of any provider, a provider's of any centre."""
    system = ConnectedSystem.objects.create(
        name=name[:200],
        basis=SystemBasis.UPLOAD,
        status=SystemState.ACTIVE,
        operator=provider or centre.founder,
    )
    if centre is not None:
        system.scope_centres.set([centre])
    else:
        system.scope_providers.set([provider])
        system.scope_any_centre = True
        system.save(update_fields=["scope_any_centre"])
    return system
