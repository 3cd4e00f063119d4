"""Open data of the improvement loop: measures, practices and external survey reports, as CSV
and JSON under the portal's licence. No personal data: records name bodies, not people."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse

from yakist.improvement import selectors
from yakist.improvement.effect import periods_around
from yakist.improvement.surveys import survey_report
from yakist.portal.opendata import FORMATS, LICENCE, _csv


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
    rows = DATASETS[name]()
    if fmt == "csv":
        columns = list(rows[0]) if rows else ["id"]
        body = _csv(rows, columns)
    else:
        body = json.dumps(
            {"dataset": f"yakist-{name}", "licence": LICENCE, "records": rows}, ensure_ascii=False
        ).encode("utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="yakist-{name}.{fmt}"'
    return response
