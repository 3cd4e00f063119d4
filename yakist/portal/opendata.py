"""Open data: every published set of a period as CSV, JSON and XLSX, with a data dictionary
(Ukrainian and English) and the CC BY 4.0 licence. Rows come from published snapshots only,
already with small cells suppressed."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse

from yakist.core.spreadsheets import XLSX_CONTENT_TYPE, csv_safe, xlsx_bytes
from yakist.indicators.selectors import FIGURE_FIELDS
from yakist.portal.models import Publication
from yakist.portal.selectors import content_of, published_periods

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Якість — моніторинг якості надання адміністративних послуг",
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
}


@dataclass(frozen=True)
class Column:
    """One field of the results table; the human dictionary and the Table Schema of the data
    package (`portal/datapackage.py`) are both generated from these."""

    name: str
    type: str
    uk: str
    en: str
    constraints: dict | None = None


DICTIONARY = [
    Column(
        "publication",
        "string",
        "Код публікації (постійне посилання /p/<код>)",
        "Publication code (permalink /p/<code>)",
    ),
    Column(
        "version",
        "integer",
        "Версія публікації; більша за 1 — виправлення",
        "Publication version; above 1 is a correction",
    ),
    Column(
        "published_at",
        "datetime",
        "Дата й час оприлюднення (UTC, ISO 8601)",
        "Publication time (UTC, ISO 8601)",
    ),
    Column(
        "period", "string", "Звітний період: РРРР або РРРРQn", "Reporting period: YYYY or YYYYQn"
    ),
    Column(
        "subject_type",
        "string",
        "Вид суб'єкта: centre, provider, hromada, region, nation",
        "Subject type: centre, provider, hromada, region, nation",
        {"required": True, "enum": ["centre", "provider", "hromada", "region", "nation"]},
    ),
    Column(
        "subject_key",
        "string",
        "Код суб'єкта: код ЦНАП, код суб'єкта надання або КАТОТТГ; порожній для України",
        "Subject code: centre code, provider code or KATOTTG; empty for Ukraine",
    ),
    Column("subject_name", "string", "Назва суб'єкта", "Subject name"),
    Column("region", "string", "Код КАТОТТГ регіону", "KATOTTG code of the region"),
    Column(
        "indicator",
        "string",
        "Код показника (див. /indicators/)",
        "Indicator code (see /indicators/)",
    ),
    Column(
        "definition_version",
        "integer",
        "Версія визначення показника",
        "Indicator definition version",
    ),
    Column("methodology", "string", "Версія методики", "Methodology version"),
    Column(
        "breakdown",
        "string",
        "Розріз: порожній — увесь суб'єкт; channel:…, service:…",
        "Breakdown: empty for the whole subject; channel:…, service:…",
    ),
    Column(
        "value",
        "number",
        "Значення: частка 0–1 або індекс −100…100; порожнє, якщо немає або приховано",
        "Value: share 0–1 or index −100…100; empty when none or suppressed",
    ),
    Column(
        "unit",
        "string",
        "Одиниця: share — частка 0–1; index — індекс −100…100; score — бал; days — дні",
        "Unit: share — 0–1; index — −100…100; score — points; days — days",
        {"required": True, "enum": ["share", "index", "score", "days"]},
    ),
    Column("numerator", "number", "Чисельник", "Numerator"),
    Column("denominator", "number", "Знаменник", "Denominator"),
    Column(
        "n",
        "integer",
        "Обсяг вибірки (кількість випадків)",
        "Sample size (number of cases)",
        {"minimum": 0},
    ),
    Column(
        "ci_low",
        "number",
        "Нижня межа 95 % довірчого інтервалу",
        "Lower bound of the 95 % confidence interval",
    ),
    Column(
        "ci_high",
        "number",
        "Верхня межа 95 % довірчого інтервалу",
        "Upper bound of the 95 % confidence interval",
    ),
    Column(
        "status",
        "string",
        "Стан: ok; insufficient — замала вибірка; no_data — дані не подано або суб'єкт "
        "не підключено; suppressed — приховано, бо менше 5 випадків або щоб приховане "
        "не можна було відняти від підсумку",
        "Status: ok; insufficient — sample too small; no_data — not reported or not "
        "connected; suppressed — fewer than 5 cases, or hidden so that a hidden count "
        "cannot be derived from the total",
        {"required": True, "enum": ["ok", "insufficient", "no_data", "suppressed"]},
    ),
    Column(
        "coverage",
        "number",
        "Повнота даних суб'єкта за період, 0–1",
        "Subject's data coverage for the period, 0–1",
    ),
    Column(
        "content_hash",
        "string",
        "SHA-256 канонічного JSON публікації (/p/<код>/content.json)",
        "SHA-256 of the publication's canonical JSON (/p/<code>/content.json)",
    ),
]
COLUMNS = [c.name for c in DICTIONARY]


def records(period: str) -> list[dict]:
    """One row per subject, indicator and breakdown of the period's current publications."""
    publications = Publication.objects.filter(
        period=period, state=Publication.State.PUBLISHED
    ).order_by("subject_type", "subject_key")
    rows = []
    for publication in publications:
        content = content_of(publication)
        coverage = (content.get("coverage") or {}).get("value")
        base = {
            "publication": publication.code,
            "version": publication.version,
            "published_at": publication.published_at.isoformat(),
            "period": publication.period,
            "subject_type": publication.subject_type,
            "subject_key": publication.subject_key,
            "subject_name": publication.subject_name,
            "region": publication.region_id or "",
            "coverage": coverage,
            "content_hash": publication.content_hash,
        }
        entries = list(content["indicators"])
        if content.get("coverage"):
            entries.append(content["coverage"])
        for entry in entries:
            common = {
                **base,
                "indicator": entry["code"],
                "definition_version": entry["definition_version"],
                "methodology": entry["methodology"],
                "unit": entry["unit"],
            }
            for item in [{**entry, "breakdown": ""}, *entry.get("breakdowns", [])]:
                rows.append(
                    {
                        **common,
                        "breakdown": item["breakdown"],
                        **{k: item[k] for k in FIGURE_FIELDS if k != "extra"},
                    }
                )
    return [{name: row.get(name) for name in COLUMNS} for row in rows]


def period_measures(period: str) -> list[dict]:
    """The measures carried by the period's current publications, with their subject."""
    rows = []
    for publication in Publication.objects.filter(
        period=period, state=Publication.State.PUBLISHED
    ).order_by("subject_type", "subject_key"):
        for measure in content_of(publication).get("measures", []):
            rows.append(
                {
                    "publication": publication.code,
                    "subject_type": publication.subject_type,
                    "subject_key": publication.subject_key,
                    **measure,
                    "indicators": " ".join(measure["indicators"]),
                }
            )
    return rows


def catalogue() -> list[dict]:
    base = settings.PUBLIC_BASE_URL
    return [
        {
            "period": s.period,
            "title": f"Результати моніторингу якості адміністративних послуг, {s.period}",
            "publications": s.count,
            "corrections": s.corrections,
            "updated_at": s.published_at,
            "files": {fmt: f"{base}/open-data/{s.period}.{fmt}" for fmt in FORMATS},
            "dictionary": f"{base}/open-data/dictionary",
            "licence": LICENCE["url"],
        }
        for s in published_periods()
    ]


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else csv_safe(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def _xlsx(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    return xlsx_bytes({title: [header, *body] for title, (header, body) in sheets.items()})


def _dictionary_rows() -> list[dict]:
    return [
        {"column": c.name, "type": c.type, "description_uk": c.uk, "description_en": c.en}
        for c in DICTIONARY
    ]


def response(period: str, rows: list[dict], fmt: str) -> HttpResponse:
    if fmt == "csv":
        body = _csv(rows, COLUMNS)
    elif fmt == "json":
        document = {
            "dataset": f"yakist-results-{period}",
            "period": period,
            "licence": LICENCE,
            "dictionary": f"{settings.PUBLIC_BASE_URL}/open-data/dictionary.json",
            "records": rows,
            "measures": period_measures(period),
        }
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    elif fmt == "xlsx":
        dictionary = _dictionary_rows()
        body = _xlsx(
            {
                "data": (COLUMNS, [[row[c] for c in COLUMNS] for row in rows]),
                "dictionary": (list(dictionary[0]), [list(d.values()) for d in dictionary]),
                "licence": (["licence", "url", "attribution"], [list(LICENCE.values())]),
                **_measures_sheet(period),
            }
        )
    else:
        raise Http404
    result = HttpResponse(body, content_type=FORMATS[fmt])
    result["Content-Disposition"] = f'attachment; filename="yakist-{period}.{fmt}"'
    return result


def _measures_sheet(period: str) -> dict:
    measures = period_measures(period)
    if not measures:
        return {}
    header = list(measures[0])
    return {"measures": (header, [[m.get(c) for c in header] for m in measures])}


def dictionary_response(fmt: str) -> HttpResponse:
    rows = _dictionary_rows()
    if fmt == "csv":
        body = _csv(rows, list(rows[0]))
    elif fmt == "json":
        body = json.dumps({"licence": LICENCE, "columns": rows}, ensure_ascii=False).encode("utf-8")
    else:
        raise Http404
    result = HttpResponse(body, content_type=FORMATS[fmt])
    result["Content-Disposition"] = f'attachment; filename="yakist-dictionary.{fmt}"'
    return result
