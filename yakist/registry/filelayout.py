"""The columns of the registry's CSV/XLSX files: one layout for import and export, so an
exported file can be edited and imported back."""

from __future__ import annotations

from typing import Literal

Kind = Literal["organisations", "centres", "services"]
KINDS: tuple[Kind, ...] = ("organisations", "centres", "services")

COLUMNS: dict[str, list[str]] = {
    "organisations": [
        "code",
        "kind",
        "name",
        "name_en",
        "short_name",
        "parent_code",
        "territory_code",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "status",
        "closed_on",
    ],
    "centres": [
        "code",
        "kind",
        "name",
        "name_en",
        "parent_code",
        "founder_code",
        "territory_code",
        "address",
        "phone",
        "email",
        "website",
        "working_hours",
        "population_served",
        "status",
        "opened_on",
        "closed_on",
    ],
    "services": [
        "code",
        "name",
        "name_en",
        "category",
        "term_value",
        "term_unit",
        "term_effective_from",
        "term_source",
        "is_paid",
        "fee",
        "online_available",
        "provider_codes",
        "legal_basis",
        "source_note",
    ],
}
REQUIRED = {
    "organisations": {"code", "kind", "name"},
    "centres": {"code", "kind", "name", "territory_code"},
    "services": {"code", "name", "term_unit"},
}
