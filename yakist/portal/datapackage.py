"""Machine-readable descriptions of the open data: a Frictionless Data Package with a Table
Schema per published CSV, and a DCAT-AP catalogue (JSON-LD) that national open-data portals
harvest. Both are generated from the same column list as the human dictionary
(`opendata.DICTIONARY`), so the three cannot drift apart."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from yakist.core.periods import Period
from yakist.portal import opendata
from yakist.portal.selectors import published_periods

# Frictionless type names for the dictionary's types.
_TABLE_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
}
# One row per publication, indicator and breakdown (an empty breakdown is the whole subject).
PRIMARY_KEY = ["publication", "indicator", "breakdown"]
TITLE_UK = "Результати моніторингу якості надання адміністративних послуг"
TITLE_EN = "Results of monitoring the quality of administrative services"
DESCRIPTION_UK = (
    "Оприлюднені показники моніторингу якості адміністративних послуг за періодами: "
    "по ЦНАП, суб'єктах надання, громадах, регіонах і Україні в цілому. Клітинки з менш ніж "
    "5 випадками приховано (status = suppressed, значення порожні); no_data — дані не подано "
    "або суб'єкт не підключений, це не нуль."
)
DESCRIPTION_EN = (
    "Published indicators of the quality of administrative services by period: per service "
    "centre, provider, hromada, region and Ukraine as a whole. Cells with fewer than 5 cases are "
    "suppressed (status = suppressed, values empty); no_data means not reported or not "
    "connected, never zero."
)
# EU vocabularies that DCAT-AP uses for frequency, file type and theme.
_EU = "http://publications.europa.eu/resource/authority/"
_FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX"}
_MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_schema(
    columns: list[opendata.Column] | None = None, primary_key: list[str] | None = None
) -> dict:
    """Table Schema of a CSV (by default a period's results): types, enumerations, units, the
    primary key, and what an empty cell means (missing, suppressed or not reported — the
    `status` field says which)."""
    fields = []
    for column in columns or opendata.DICTIONARY:
        field = {
            "name": column.name,
            "type": _TABLE_TYPES[column.type],
            "title": column.uk,
            "description": f"{column.uk} / {column.en}",
        }
        if column.constraints:
            field["constraints"] = dict(column.constraints)
        fields.append(field)
    return {"fields": fields, "primaryKey": primary_key or PRIMARY_KEY, "missingValues": [""]}


def resource_name(period: str) -> str:
    return f"results-{period.lower()}"


def data_package() -> dict:
    """`/open-data/datapackage.json`: one tabular resource per published period's CSV. Paths are
    relative to the descriptor, so the package validates wherever the site is served from."""
    schema = table_schema()
    return {
        "profile": "tabular-data-package",
        "name": "yakist-results",
        "title": f"{TITLE_UK} / {TITLE_EN}",
        "description": f"{DESCRIPTION_UK}\n\n{DESCRIPTION_EN}",
        "homepage": f"{settings.PUBLIC_BASE_URL}/open-data/",
        "licenses": [{"name": "CC-BY-4.0", "path": opendata.LICENCE["url"], "title": "CC BY 4.0"}],
        "keywords": ["адміністративні послуги", "ЦНАП", "моніторинг", "якість"],
        "resources": [
            {
                "name": resource_name(s.period),
                "title": f"{TITLE_UK}, {s.period}",
                "path": f"{s.period}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
            for s in published_periods()
        ]
        + [resource for extra in _extra_resources() for resource in extra()],
    }


def _extra_resources():
    """Data sets of later stages (settings.OPEN_DATA_RESOURCES), so the portal imports none."""
    return [import_string(path) for path in settings.OPEN_DATA_RESOURCES]


def dcat_catalogue() -> dict:
    """`/open-data/catalog.jsonld`: a DCAT-AP catalogue with a dataset per period and a
    distribution per format, with publisher, licence, period and update frequency."""
    base = settings.PUBLIC_BASE_URL
    publisher = {
        "@id": f"{base}/#publisher",
        "@type": "foaf:Agent",
        "foaf:name": settings.OPEN_DATA_PUBLISHER,
    }
    licence = {"@id": opendata.LICENCE["url"], "@type": "dct:LicenseDocument"}
    datasets = [
        _dataset(s.period, s.published_at, base, publisher, licence) for s in published_periods()
    ]
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": TITLE_UK, "@language": "uk"},
            {"@value": TITLE_EN, "@language": "en"},
        ],
        "dct:description": [
            {"@value": DESCRIPTION_UK, "@language": "uk"},
            {"@value": DESCRIPTION_EN, "@language": "en"},
        ],
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": [{"@id": f"{_EU}language/UKR"}, {"@id": f"{_EU}language/ENG"}],
        "foaf:homepage": {"@id": f"{base}/open-data/"},
        "dcat:dataset": datasets,
    }


def _dataset(period: str, published_at, base: str, publisher: dict, licence: dict) -> dict:
    parsed = Period.parse(period)
    frequency = "QUARTERLY" if parsed.is_quarter else "ANNUAL"
    modified = {"@value": published_at.isoformat(), "@type": "xsd:dateTime"}
    return {
        "@id": f"{base}/open-data/{period}",
        "@type": "dcat:Dataset",
        "dct:identifier": f"yakist-results-{period}",
        "dct:title": [
            {"@value": f"{TITLE_UK}, {period}", "@language": "uk"},
            {"@value": f"{TITLE_EN}, {period}", "@language": "en"},
        ],
        "dct:description": [
            {"@value": DESCRIPTION_UK, "@language": "uk"},
            {"@value": DESCRIPTION_EN, "@language": "en"},
        ],
        "dct:publisher": publisher,
        "dct:modified": modified,
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": parsed.first_day.isoformat(), "@type": "xsd:date"},
            "dcat:endDate": {"@value": parsed.last_day.isoformat(), "@type": "xsd:date"},
        },
        "dct:accrualPeriodicity": {"@id": f"{_EU}frequency/{frequency}"},
        "dcat:theme": {"@id": f"{_EU}data-theme/GOVE"},
        "dcat:keyword": [
            {"@value": "адміністративні послуги", "@language": "uk"},
            {"@value": "administrative services", "@language": "en"},
        ],
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": settings.OPEN_DATA_PUBLISHER,
            "vcard:hasURL": {"@id": f"{base}/open-data/"},
        },
        "foaf:page": {"@id": f"{base}/open-data/dictionary"},
        "dcat:distribution": [
            {
                "@id": f"{base}/open-data/{period}.{fmt}",
                "@type": "dcat:Distribution",
                "dct:title": f"{period}.{fmt}",
                "dcat:accessURL": {"@id": f"{base}/open-data/"},
                "dcat:downloadURL": {"@id": f"{base}/open-data/{period}.{fmt}"},
                "dcat:mediaType": {
                    "@id": f"https://www.iana.org/assignments/media-types/{_MEDIA_TYPES[fmt]}"
                },
                "dct:format": {"@id": f"{_EU}file-type/{_FILE_TYPES[fmt]}"},
                "dct:license": licence,
                "dct:modified": modified,
                **(
                    {"dct:conformsTo": {"@id": f"{base}/open-data/datapackage.json"}}
                    if fmt == "csv"
                    else {}
                ),
            }
            for fmt in opendata.FORMATS
        ],
    }
