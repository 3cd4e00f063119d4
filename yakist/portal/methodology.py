"""`/methodology/`: every rule of the methodology in force, each with its basis (act, draft or
model), generated from the same data the computation uses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language

from yakist.cases import calendar
from yakist.core.periods import kyiv_now
from yakist.indicators import selectors as indicators
from yakist.indicators.enums import SubjectType
from yakist.statmon.catalogue import form_in_force


def methodology_rules(day) -> dict:
    """The rules in force on `day`: indicators (definition, formula, minimum sample), weights,
    other methodology rules, checklist items and checks of the form, and calendar rules."""
    methodology = indicators.methodology_at(day)
    english = get_language() == "en"
    context: dict = {"methodology": methodology, "indicators": [], "weights": [], "rules": []}
    if methodology is not None:
        context["indicators"] = list(methodology.definitions.order_by("code"))
        labels = dict(SubjectType.choices)
        names = {d.code: (d.name_en if english else d.name) for d in context["indicators"]}
        by_type: dict[str, list] = {}
        for weight in methodology.weights.order_by("subject_type", "-weight", "indicator_code"):
            by_type.setdefault(weight.subject_type, []).append(
                {
                    "code": weight.indicator_code,
                    "name": names.get(weight.indicator_code, weight.indicator_code),
                    "weight": weight.weight,
                    "basis": weight.basis,
                }
            )
        context["weights"] = [
            {"subject_type": labels.get(t, t), "items": items} for t, items in by_type.items()
        ]
        context["rules"] = [
            {
                **rule,
                "shown_name": rule.get("name_en") if english else rule.get("name"),
                "shown_text": rule.get("text_en") if english else rule.get("text"),
            }
            for rule in methodology.rules
        ]
    form = form_in_force(day)
    context["form"] = form
    context["checklist"] = []
    context["checks"] = []
    if form is not None:
        bases = (form.bases or {}).get("indicators", {})
        context["checklist"] = [
            {
                "code": item.code,
                "name": item.name_en if english and item.name_en else item.name,
                "basis": bases.get(item.code, {}),
            }
            for item in form.indicators.filter(checklist=True).order_by("position")
        ]
        context["checks"] = [c for c in form.checks if c.get("basis")]
    context["calendar"] = calendar.ua_calendar().regimes
    return context


def methodology_page(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "portal/methodology.html",
        {**methodology_rules(kyiv_now().date()), "feedback_subject": "national"},
    )
