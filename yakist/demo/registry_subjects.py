"""Demo step: the subjects and connection bases the Procedure names besides centres — a
military administration acting for a hromada, systems on an agreement (each with its data
list) and on an application (ПК ЦНАП «Вулик»), a centre not connected that has notified the
ministry. Runs after the registry world and before the demo logins."""

from __future__ import annotations

import datetime as dt

from yakist.demo.registry import DEMO_SYSTEMS, SHOWCASE_REGION
from yakist.demo.runner import DemoContext
from yakist.ingest.datalist import data_list_set
from yakist.registry.models import Centre, ConnectedSystem, MonitoringNotice, Organisation
from yakist.registry.services import monitoring_notice_record

ALL_TYPES: list[str] = []  # an empty list of types: every type of the common schema
ALL_FIELDS = ["centre_code", "status", "reason", "rating", "applicant_ref"]
# The oblast whose first hromada with a centre is run by a military administration (demo).
MILITARY_REGION_NAME = "Харківська"


def subjects(ctx: DemoContext) -> str:
    vulyk, own, provider_registry = (
        ConnectedSystem.objects.filter(name=name).first() for name, *_ in DEMO_SYSTEMS[:3]
    )
    if vulyk is not None:
        ConnectedSystem.objects.filter(pk=vulyk.pk).update(basis=ConnectedSystem.Basis.APPLICATION)
    for system, number, day, required, schema in (
        (own, "ДП-2025/017", dt.date(2025, 11, 3), ["centre_code"], "1.0"),
        (provider_registry, "ДП-2025/031", dt.date(2025, 12, 1), [], "1.1"),
    ):
        if system is None:
            continue
        ConnectedSystem.objects.filter(pk=system.pk).update(
            basis=ConnectedSystem.Basis.AGREEMENT, agreement_number=number, agreement_date=day
        )
        system.refresh_from_db()
        data_list_set(
            system=system,
            event_types=ALL_TYPES,
            fields=ALL_FIELDS,
            required=required,
            schema_version=schema,
        )
    military = _military_administration()
    centre = not_connected_centre()
    if centre is not None and not MonitoringNotice.objects.filter(centre=centre).exists():
        monitoring_notice_record(
            centre=centre,
            notified_on=dt.date(2025, 9, 24),
            tools="Електронна черга та журнал справ у табличному редакторі; щоквартальне "
            "опитування відвідувачів (демо)",
            contact="Адміністратор ЦНАП, cnap@demo.example",
        )
    return (
        f"Суб'єкти: військова адміністрація «{military.name if military else '—'}», "
        f"непідключений ЦНАП «{centre.name if centre else '—'}» з повідомленням"
    )


def not_connected_centre() -> Centre | None:
    """The first active main centre of the showcase oblast that no system reports for (nor
    for any of its access points)."""
    connected = (
        ConnectedSystem.objects.exclude(basis=ConnectedSystem.Basis.UPLOAD)
        .filter(scope_centres__isnull=False)
        .values("scope_centres")
    )
    return (
        Centre.objects.filter(region_id=SHOWCASE_REGION, kind=Centre.Kind.CENTRE, status="active")
        .exclude(pk__in=connected)
        .exclude(access_points__in=connected)
        .order_by("code")
        .first()
    )


def _military_administration() -> Organisation | None:
    existing = Organisation.objects.filter(kind=Organisation.Kind.MILITARY_ADMINISTRATION).first()
    if existing is not None:
        return existing
    centre = (
        Centre.objects.filter(
            region__name=MILITARY_REGION_NAME,
            region__category="O",
            kind=Centre.Kind.CENTRE,
            hromada__isnull=False,
        )
        .select_related("hromada")
        .order_by("code")
        .first()
    )
    if centre is None:
        return None
    hromada = centre.hromada
    return Organisation.objects.create(
        code=f"va-{hromada.code}",
        kind=Organisation.Kind.MILITARY_ADMINISTRATION,
        name=f"{hromada.name} військова адміністрація (демо)",
        territory=hromada,
        region_id=centre.region_id,
    )
