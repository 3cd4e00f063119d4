"""Open data of the improvement loop: measures, practices and external survey reports, as CSV
and JSON under the portal's licence. No personal data: records name bodies, not people."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse

from yakist.improvement import selectors
from yakist.improvement.effect import periods_around
from yakist.improvement.surveys import survey_report
from yakist.portal.opendata import FORMATS, LICENCE, Column, _csv

# The fields of each data set: the CSV header (also when a set is still empty) and the Table
# Schema of its resource in /open-data/datapackage.json are both generated from these.
DICTIONARIES: dict[str, list[Column]] = {
    "measures": [
        Column("id", "integer", "Номер заходу", "Measure number", {"required": True}),
        Column("url", "string", "Сторінка заходу з ефектом", "The measure's page with its effect"),
        Column(
            "subject_type",
            "string",
            "Вид суб'єкта: centre, provider, hromada, region, nation",
            "Subject type: centre, provider, hromada, region, nation",
        ),
        Column("subject_key", "string", "Код суб'єкта", "Subject code"),
        Column("subject_name", "string", "Назва суб'єкта", "Subject name"),
        Column("region", "string", "Код КАТОТТГ регіону", "KATOTTG code of the region"),
        Column("title", "string", "Захід", "Measure"),
        Column("description", "string", "Опис заходу", "Description"),
        Column("problem", "string", "Проблема, яку розв'язує захід", "The problem it addresses"),
        Column("responsible_body", "string", "Відповідальний орган", "Responsible body"),
        Column("started_on", "date", "Дата початку", "Start date"),
        Column(
            "completed_on",
            "date",
            "Дата завершення (порожня — триває)",
            "End date (empty: ongoing)",
        ),
        Column(
            "indicators",
            "string",
            "Коди показників, на які спрямовано захід (через пробіл)",
            "Indicator codes aimed at (space-separated)",
        ),
        Column(
            "period_before",
            "string",
            "Період «до» для оцінки ефекту",
            "The period before, for the effect",
        ),
        Column(
            "period_after",
            "string",
            "Період «після» для оцінки ефекту",
            "The period after, for the effect",
        ),
    ],
    "practices": [
        Column("id", "integer", "Номер практики", "Practice number", {"required": True}),
        Column(
            "url", "string", "Адреса на сторінці добрих практик", "Address on the practices page"
        ),
        Column("topic", "string", "Тема", "Topic"),
        Column("region", "string", "Код КАТОТТГ регіону", "KATOTTG code of the region"),
        Column(
            "subject_name", "string", "Суб'єкт, що застосував практику", "Subject that applied it"
        ),
        Column("problem", "string", "Розв'язана проблема", "The problem resolved"),
        Column(
            "measure_id",
            "integer",
            "Номер заходу (набір measures)",
            "Measure number (measures set)",
        ),
        Column(
            "measure_url",
            "string",
            "Сторінка заходу з ефектом",
            "The measure's page with its effect",
        ),
        Column("summary", "string", "Суть практики", "Summary"),
        Column("contact_body", "string", "Орган для контакту", "Body to contact"),
        Column(
            "contact_details", "string", "Службові контакти органу", "The body's official contacts"
        ),
        Column("evidence", "string", "Дані про ефект (JSON)", "Evidence of the effect (JSON)"),
        Column("marked_at", "datetime", "Коли визнано доброю практикою", "When marked as practice"),
    ],
    "external-surveys": [
        Column("survey_id", "integer", "Номер опитування", "Survey number", {"required": True}),
        Column("survey", "string", "Назва опитування", "Survey name"),
        Column("conducted_by", "string", "Хто провів", "Conducted by"),
        Column("method", "string", "Метод", "Method"),
        Column("period_start", "date", "Початок періоду опитування", "Start of the survey period"),
        Column("period_end", "date", "Кінець періоду опитування", "End of the survey period"),
        Column(
            "region",
            "string",
            "Код КАТОТТГ регіону; порожній — Україна",
            "KATOTTG region code; empty for Ukraine",
        ),
        Column(
            "source",
            "string",
            "external — відповіді зовнішньої оцінки; own — власні опитування системи",
            "external — answers of the external assessment; own — the system's own surveys",
            {"required": True, "enum": ["external", "own"]},
        ),
        Column(
            "n",
            "integer",
            "Кількість відповідей (порожня, якщо приховано)",
            "Answers (empty when suppressed)",
            {"minimum": 0},
        ),
        Column("satisfaction", "number", "Частка задоволених, 0–1", "Share satisfied, 0–1"),
        Column(
            "satisfaction_low",
            "number",
            "Нижня межа 95 % інтервалу",
            "Lower bound of the 95 % interval",
        ),
        Column(
            "satisfaction_high",
            "number",
            "Верхня межа 95 % інтервалу",
            "Upper bound of the 95 % interval",
        ),
        Column("loyalty", "number", "Індекс лояльності, −100…100", "Loyalty index, −100…100"),
        Column(
            "loyalty_low", "number", "Нижня межа 95 % інтервалу", "Lower bound of the 95 % interval"
        ),
        Column(
            "loyalty_high",
            "number",
            "Верхня межа 95 % інтервалу",
            "Upper bound of the 95 % interval",
        ),
        Column(
            "status",
            "string",
            "ok; suppressed — приховано, бо відповідей менше за поріг",
            "ok; suppressed — fewer answers than the small-cell limit",
            {"required": True, "enum": ["ok", "suppressed"]},
        ),
    ],
}


def measure_record(measure) -> dict:
    before, after = periods_around(measure.started_on, measure.effective_on)
    return {
        "id": measure.pk,
        "url": f"{settings.PUBLIC_BASE_URL}/measures/{measure.pk}",
        "subject_type": measure.subject_type,
        "subject_key": measure.subject_key,
        "subject_name": measure.subject_name,
        "region": measure.region_id or "",
        "title": measure.title,
        "description": measure.description,
        "problem": measure.problem.title if measure.problem else measure.addresses,
        "responsible_body": measure.responsible_body,
        "started_on": measure.started_on.isoformat(),
        "completed_on": measure.completed_on.isoformat() if measure.completed_on else "",
        "indicators": " ".join(measure.indicators),
        "period_before": before.code,
        "period_after": after.code,
    }


def practice_record(practice) -> dict:
    return {
        "id": practice.pk,
        "url": f"{settings.PUBLIC_BASE_URL}/practices/#practice-{practice.pk}",
        "topic": practice.topic,
        "region": practice.problem.region_id or "",
        "subject_name": practice.problem.subject_name,
        "problem": practice.problem.title,
        "measure_id": practice.measure_id,
        "measure_url": f"{settings.PUBLIC_BASE_URL}/measures/{practice.measure_id}",
        "summary": practice.summary,
        "contact_body": practice.contact_body,
        "contact_details": practice.contact_details,
        "evidence": json.dumps(practice.evidence, ensure_ascii=False),
        "marked_at": practice.marked_at.isoformat(),
    }


def survey_records() -> list[dict]:
    rows = []
    for report in selectors.survey_reports_public():
        content = survey_report(report.survey)
        survey = content["survey"]
        for region in [
            {"region": "", "name": "", "external": content["external"], "own": content["own"]},
            *content["regions"],
        ]:
            for source in ("external", "own"):
                figures = region[source]
                rows.append(
                    {
                        "survey_id": survey["id"],
                        "survey": survey["name"],
                        "conducted_by": survey["conducted_by"],
                        "method": survey["method"],
                        "period_start": survey["period_start"],
                        "period_end": survey["period_end"],
                        "region": region["region"],
                        "source": source,
                        **{k: figures[k] for k in figures if k != "suppressed"},
                        "status": "suppressed" if figures["suppressed"] else "ok",
                    }
                )
    return rows


DATASETS = {
    "measures": lambda: [measure_record(m) for m in selectors.measures_public()],
    "practices": lambda: [practice_record(p) for p in selectors.practices_public()],
    "external-surveys": survey_records,
}


def dataset_response(name: str, fmt: str) -> HttpResponse:
    if name not in DATASETS or fmt not in ("csv", "json"):
        raise Http404
    columns = [column.name for column in DICTIONARIES[name]]
    rows = [{c: row.get(c) for c in columns} for row in DATASETS[name]()]
    if fmt == "csv":
        body = _csv(rows, columns)
    else:
        body = json.dumps(
            {"dataset": f"yakist-{name}", "licence": LICENCE, "records": rows}, ensure_ascii=False
        ).encode("utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="yakist-{name}.{fmt}"'
    return response


def package_resources() -> list[dict]:
    """Resources of the open-data package (yakist.portal.datapackage): each set's CSV with its
    Table Schema."""
    from yakist.portal.datapackage import table_schema

    return [
        {
            "name": name,
            "title": title,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(DICTIONARIES[name], primary_key=[key]),
        }
        for name, title, key in (
            ("measures", "Заходи, вжиті для підвищення якості / Measures taken", "id"),
            ("practices", "Добрі практики / Good practice", "id"),
        )
    ] + [
        {
            "name": "external-surveys",
            "title": "Зовнішня оцінка задоволеності / External satisfaction assessment",
            "path": "external-surveys.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(
                DICTIONARIES["external-surveys"], primary_key=["survey_id", "region", "source"]
            ),
        }
    ]
