"""Public read API of the registry: centres and services (no login; open information)."""

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from yakist.registry import selectors
from yakist.registry.enums import TermUnit
from yakist.registry.models import Centre, Service

router = Router(tags=["Реєстр"])


class TerritoryOut(Schema):
    code: str
    name: str


class CentreOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str = Field(description="centre | subdivision | remote_workplace | mobile")
    parent_code: str | None
    region: TerritoryOut
    hromada: TerritoryOut | None
    settlement: TerritoryOut
    address: str
    phone: str
    email: str
    website: str
    working_hours: str
    status: str = Field(description="active | suspended | closed")
    closed_on: dt.date | None


class CentreFilters(Schema):
    region: str | None = Field(None, description="Код КАТОТТГ області або міста зі спецстатусом")
    hromada: str | None = Field(None, description="Код КАТОТТГ громади")
    kind: Centre.Kind | None = None
    q: str | None = Field(None, max_length=100, description="Пошук за назвою або населеним пунктом")


class TermOut(Schema):
    value: int | None
    unit: str = Field(description="hours | calendar_days | working_days | on_visit")
    unit_label: str
    effective_from: dt.date
    source: str


class ServiceOut(Schema):
    code: str
    name: str
    name_en: str
    category: str
    term: TermOut | None
    is_paid: bool
    fee: str
    online_available: bool
    provider_codes: list[str]
    legal_basis: str
    synthetic: bool


class ServiceFilters(Schema):
    q: str | None = Field(None, max_length=100)
    online: bool | None = None


def _territory(territory) -> dict | None:
    if territory is None:
        return None
    return {"code": territory.code, "name": territory.display_name}


@router.get(
    "/centres", response=list[CentreOut], summary=str(_("Центри надання адміністративних послуг"))
)
def centres_list(request: HttpRequest, filters: Query[CentreFilters]):
    centres = selectors.centres_public(
        region=filters.region, hromada=filters.hromada, kind=filters.kind, search=filters.q
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "kind": c.kind,
            "parent_code": c.parent.code if c.parent else None,
            "region": _territory(c.region),
            "hromada": _territory(c.hromada),
            "settlement": _territory(c.territory),
            "address": c.address,
            "phone": c.phone,
            "email": c.email,
            "website": c.website,
            "working_hours": c.working_hours,
            "status": c.status,
            "closed_on": c.closed_on,
        }
        for c in centres
    ]


@router.get("/services", response=list[ServiceOut], summary=str(_("Адміністративні послуги")))
def services_list(request: HttpRequest, filters: Query[ServiceFilters]):
    return [
        _service_out(s) for s in selectors.services_public(search=filters.q, online=filters.online)
    ]


def _service_out(service: Service) -> dict:
    term = selectors.current_term(service)
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "category": service.category,
        "term": None
        if term is None
        else {
            "value": term.value,
            "unit": term.unit,
            "unit_label": str(TermUnit(term.unit).label),
            "effective_from": term.effective_from,
            "source": term.source,
        },
        "is_paid": service.is_paid,
        "fee": service.fee,
        "online_available": service.online_available,
        "provider_codes": sorted(p.code for p in service.providers.all()),
        "legal_basis": service.legal_basis,
        "synthetic": service.synthetic,
    }
