"""Public API of the methodology: the indicator definitions in force on a date."""

import datetime as dt
import re

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from yakist.core.periods import kyiv_now
from yakist.core.problems import ValidationFailed
from yakist.indicators import selectors

router = Router(tags=["Методика"])
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class DefinitionOut(Schema):
    code: str
    version: int
    name: str
    name_en: str
    description: str
    description_en: str
    formula: str
    unit: str = Field(description="share (0–1) | index (−100…100) | score | days")
    direction: str
    periodicity: str = Field(description="quarterly | yearly")
    subjects: list[str]
    min_sample: int
    legal_source: str
    basis: dict = Field(
        description="basis / formula_basis / min_sample_basis: kind act | draft | model with "
        "its source (act, number, date, point, in_force_since | document, reference, date | "
        "rationale, replace_with)"
    )
    practice: str = Field(description="practice of other countries: never a legal source")
    methodology: str
    effective_from: dt.date
    effective_to: dt.date | None


class AtFilter(Schema):
    # A string in the ISO form, not pydantic's lax date: "0" or "1700000000" must be refused,
    # not read as a Unix time.
    at: str | None = Field(
        None,
        description="Дата РРРР-ММ-ДД, на яку показати чинні визначення (типово — сьогодні)",
        json_schema_extra={"format": "date", "pattern": ISO_DATE.pattern},
    )


@router.get("/indicators", response=list[DefinitionOut], summary="Чинні показники методики")
def indicators_list(request: HttpRequest, filters: Query[AtFilter]):
    day = _day(filters.at) or kyiv_now().date()  # "today" is the Kyiv day, not the server's
    return [
        {
            "code": d.code,
            "version": d.version,
            "name": d.name,
            "name_en": d.name_en,
            "description": d.description,
            "description_en": d.description_en,
            "formula": d.formula,
            "unit": d.unit,
            "direction": d.direction,
            "periodicity": d.periodicity,
            "subjects": d.subjects,
            "min_sample": d.min_sample,
            "legal_source": d.legal_source,
            "basis": d.basis,
            "practice": d.practice,
            "methodology": d.methodology.code,
            "effective_from": d.methodology.effective_from,
            "effective_to": d.methodology.effective_to,
        }
        for d in selectors.definitions_in_force(day)
    ]


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        if ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationFailed(
        _("Параметри запиту не пройшли перевірку."),
        extra={"errors": [{"location": "query.at", "message": _("очікується дата РРРР-ММ-ДД")}]},
    )
