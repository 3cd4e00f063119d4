"""Writing the valid rows of an import: create or update by code, link parents once every row
exists, and say what changed so the import leaves one audit entry per created or changed
object (recorded by yakist.registry.importers through the accounts audit trail)."""

from __future__ import annotations

from typing import Any

from yakist.accounts.services import audit_entry
from yakist.registry.models import Centre, Organisation, Service, ServiceTerm


def _upsert(model, fields: list[str], records: list[tuple[str, dict]], label: str):
    """Create or update by code; return counts and an audit entry per changed object."""
    existing = {obj.code: obj for obj in model.objects.filter(code__in=[c for c, _ in records])}
    to_create, to_update, audit = [], [], []
    unchanged = 0
    for code, values in records:
        obj = existing.get(code)
        if obj is None:
            obj = model(code=code, **{name: values[name] for name in fields})
            to_create.append(obj)
            audit.append(_audit_entry("create", label, code, values, {"source": "import"}))
            continue
        changes = {
            name: [_jsonable(getattr(obj, name)), _jsonable(values[name])]
            for name in fields
            if getattr(obj, name) != values[name]
        }
        if not changes:
            unchanged += 1
            continue
        for name in fields:
            setattr(obj, name, values[name])
        to_update.append(obj)
        audit.append(_audit_entry("update", label, code, values, changes))
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    return len(to_create), len(to_update), unchanged, audit


def _audit_entry(action: str, label: str, code: str, values: dict, changes: dict):
    return audit_entry(
        action=action,
        object_type=label,
        object_id=code,
        summary=f"{code} {values.get('name', '')}"[:500],
        changes=changes,
    )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _apply_organisations(values: list[dict], codes: list[str]):
    ids = dict(Organisation.objects.values_list("code", "pk"))
    fields = [
        "kind",
        "name",
        "name_en",
        "short_name",
        "territory_id",
        "region_id",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "status",
        "closed_on",
    ]
    result = _upsert(
        Organisation, fields, list(zip(codes, values, strict=True)), "registry.organisation"
    )
    # Parents may be defined in the same file, so they are linked after every row exists.
    ids = dict(Organisation.objects.values_list("code", "pk"))
    parents = [
        Organisation(pk=ids[c], parent_id=ids.get(v["parent_code"]))
        for c, v in zip(codes, values, strict=True)
    ]
    Organisation.objects.bulk_update(parents, ["parent_id"], batch_size=500)
    return result


def _apply_centres(values: list[dict], codes: list[str]):
    organisations = dict(Organisation.objects.values_list("code", "pk"))
    for value in values:
        value["founder_id"] = organisations.get(value["founder_code"])
    fields = [
        "kind",
        "name",
        "name_en",
        "founder_id",
        "territory_id",
        "hromada_id",
        "region_id",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "population_served",
        "status",
        "opened_on",
        "closed_on",
    ]
    result = _upsert(Centre, fields, list(zip(codes, values, strict=True)), "registry.centre")
    ids = dict(Centre.objects.values_list("code", "pk"))
    parents = [
        Centre(pk=ids[c], parent_id=ids.get(v["parent_code"]))
        for c, v in zip(codes, values, strict=True)
    ]
    Centre.objects.bulk_update(parents, ["parent_id"], batch_size=500)
    return result


def _apply_services(values: list[dict], codes: list[str]):
    fields = [
        "name",
        "name_en",
        "category",
        "is_paid",
        "fee",
        "online_available",
        "legal_basis",
        "source_note",
    ]
    result = _upsert(Service, fields, list(zip(codes, values, strict=True)), "registry.service")
    services = dict(Service.objects.filter(code__in=codes).values_list("code", "pk"))
    rows = [(services[code], value) for code, value in zip(codes, values, strict=True)]
    _service_terms_apply(rows)
    _service_providers_link(rows)
    return result


def _service_terms_apply(rows: list[tuple[int, dict]]) -> None:
    """A term is kept per service and start date, so a new date adds a term, not replaces one."""
    terms = {
        (t.service_id, t.effective_from): t
        for t in ServiceTerm.objects.filter(service_id__in=[service_id for service_id, _ in rows])
    }
    new_terms, changed_terms = [], []
    for service_id, value in rows:
        key = (service_id, value["term_effective_from"])
        wanted = (value["term_value"], value["term_unit"], value["term_source"])
        term = terms.get(key)
        if term is None:
            new_terms.append(
                ServiceTerm(
                    service_id=service_id,
                    value=wanted[0],
                    unit=wanted[1],
                    effective_from=key[1],
                    source=wanted[2],
                )
            )
        elif (term.value, term.unit, term.source) != wanted:
            term.value, term.unit, term.source = wanted
            changed_terms.append(term)
    ServiceTerm.objects.bulk_create(new_terms, batch_size=1000)
    if changed_terms:
        ServiceTerm.objects.bulk_update(changed_terms, ["value", "unit", "source"], batch_size=500)


def _service_providers_link(rows: list[tuple[int, dict]]) -> None:
    """The file's provider list replaces a service's providers."""
    providers = dict(
        Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("code", "pk")
    )
    links = Service.providers.through
    links.objects.filter(service_id__in=[service_id for service_id, _ in rows]).delete()
    new_links = [
        links(service_id=service_id, organisation_id=providers[code])
        for service_id, value in rows
        for code in value["provider_codes"]
    ]
    links.objects.bulk_create(new_links, batch_size=1000, ignore_conflicts=True)


APPLIERS = {
    "organisations": _apply_organisations,
    "centres": _apply_centres,
    "services": _apply_services,
}
