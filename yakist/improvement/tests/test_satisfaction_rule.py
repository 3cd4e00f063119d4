"""The methodology's rule on external assessments decides what `satisfaction` pools."""

import datetime as dt

import pytest

from yakist.core.periods import Period
from yakist.feedback.models import ExternalSurvey, SurveyResponse
from yakist.feedback.services import external_survey_import
from yakist.indicators.models import IndicatorDefinition, IndicatorResult
from yakist.indicators.selectors import methodology_at
from yakist.indicators.services import indicators_compute

QUARTER = Period(2025, 3)


def _satisfaction(centre_code):
    return IndicatorResult.objects.get(
        indicator_code="satisfaction",
        subject_type="centre",
        subject_key=centre_code,
        period=QUARTER.code,
        breakdown="",
        is_current=True,
    )


def _set_rule(value):
    definition = IndicatorDefinition.objects.get(
        methodology=methodology_at(QUARTER.first_day), code="satisfaction"
    )
    definition.params = {**definition.params, "external_surveys": value}
    definition.save(update_fields=["params"])


@pytest.mark.django_db
def test_shipped_methodology_keeps_external_assessment_apart():
    definition = IndicatorDefinition.objects.get(
        methodology=methodology_at(QUARTER.first_day), code="satisfaction"
    )
    assert definition.params["external_surveys"] == "separate"


@pytest.mark.django_db
def test_flipping_the_rule_pools_external_answers(user, lviv_centres):
    centre = lviv_centres[0]
    rows = [{"centre_code": centre.code, "overall": "1"} for _ in range(50)]
    survey = ExternalSurvey(
        name="Зовнішня оцінка",
        period_start=QUARTER.first_day,
        period_end=dt.date(2025, 8, 15),
    )
    assert external_survey_import(survey=survey, rows=rows, actor=user("ministry"))[0] == 50

    own = (
        SurveyResponse.objects.filter(
            main_centre=centre, submitted_at__gte=QUARTER.start, submitted_at__lt=QUARTER.end
        )
        .exclude(source="external")
        .exclude(overall=None)
        .count()
    )
    indicators_compute(period=QUARTER)
    apart = _satisfaction(centre.code)
    assert apart.n == own  # the system's own answers only: the 50 external are not there

    _set_rule("pooled")
    indicators_compute(period=QUARTER)
    pooled = _satisfaction(centre.code)
    assert pooled.n == own + 50
    assert pooled.extra["levels"]["1"] == apart.extra.get("levels", {}).get("1", 0) + 50
