"""Export of subjects, centres and services as CSV or XLSX, in the columns the import reads
(yakist.registry.filelayout), so an exported file can be edited and imported back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any, Literal

from yakist.core.spreadsheets import cell_text, csv_row_safe, xlsx_bytes
from yakist.registry.filelayout import COLUMNS, Kind
from yakist.registry.models import Centre, Organisation, Service, ServiceTerm


def export_rows(kind: Kind) -> list[list[Any]]:
    """The header and one row per object, ordered by code."""
    rows = {
        "organisations": _organisation_rows,
        "centres": _centre_rows,
        "services": _service_rows,
    }[kind]()
    return [COLUMNS[kind], *rows]


def _organisation_rows() -> Iterator[list[Any]]:
    for org in Organisation.objects.select_related("parent").order_by("code"):
        yield [
            org.code,
            org.kind,
            org.name,
            org.name_en,
            org.short_name,
            org.parent.code if org.parent else "",
            org.territory_id or "",
            org.address,
            org.phone,
            org.email,
            org.website,
            org.working_hours,
            org.status,
            org.closed_on or "",
        ]


def _centre_rows() -> Iterator[list[Any]]:
    for c in Centre.objects.select_related("parent", "founder").order_by("code"):
        yield [
            c.code,
            c.kind,
            c.name,
            c.name_en,
            c.parent.code if c.parent else "",
            c.founder.code if c.founder else "",
            c.territory_id,
            c.address,
            c.phone,
            c.email,
            c.website,
            c.working_hours,
            c.population_served,
            c.status,
            c.opened_on or "",
            c.closed_on or "",
        ]


def _service_rows() -> Iterator[list[Any]]:
    """A service's row carries its latest term and its providers' codes."""
    providers: dict[int, list[str]] = {}
    for service_id, code in Service.providers.through.objects.values_list(
        "service_id", "organisation__code"
    ):
        providers.setdefault(service_id, []).append(code)
    latest: dict[int, ServiceTerm] = {}
    for term in ServiceTerm.objects.order_by("service_id", "effective_from"):
        latest[term.service_id] = term
    for s in Service.objects.order_by("code"):
        term = latest.get(s.pk)
        yield [
            s.code,
            s.name,
            s.name_en,
            s.category,
            term.value if term and term.value else "",
            term.unit if term else "",
            term.effective_from if term else "",
            term.source if term else "",
            "true" if s.is_paid else "false",
            s.fee,
            "true" if s.online_available else "false",
            ";".join(sorted(providers.get(s.pk, []))),
            s.legal_basis,
            s.source_note,
        ]


def registry_export(*, kind: Kind, fmt: Literal["csv", "xlsx"]) -> bytes:
    rows = export_rows(kind)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(csv_row_safe(cell_text(v) for v in row) for row in rows)
        return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel read UTF-8
    dates_as_text = ([cell_text(v) if isinstance(v, dt.date) else v for v in row] for row in rows)
    return xlsx_bytes({kind: dates_as_text})
