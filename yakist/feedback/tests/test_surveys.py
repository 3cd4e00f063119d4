"""Applicants' ratings from the QR survey and imported external surveys."""

import datetime as dt

import pytest
from django.core.management.base import CommandError

from yakist.accounts.scope import scope_of
from yakist.core.periods import Period
from yakist.core.testing import away_from_window_edge
from yakist.feedback import selectors
from yakist.feedback.models import ExternalSurvey, SurveyResponse
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db


def test_qr_survey_stores_a_rating_against_the_main_centre(client):
    point = Centre.objects.exclude(kind="centre").first()
    before = SurveyResponse.objects.count()
    response = client.post(
        f"/feedback/rate/{point.code}",
        {"score": "9", "staff": "4", "overall": "3"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 200 and "Дякуємо за оцінку" in response.content.decode()
    saved = SurveyResponse.objects.latest("pk")
    assert SurveyResponse.objects.count() == before + 1
    assert (saved.score, saved.staff, saved.overall, saved.premises) == (9, 4, 3, None)
    assert saved.main_centre == point.parent and saved.source == "qr"


def test_survey_without_a_score_is_refused(client):
    centre = Centre.objects.filter(kind="centre").first()
    response = client.post(f"/feedback/rate/{centre.code}", {"score": "11"})
    assert response.status_code == 400
    assert "Оберіть оцінку від 0 до 10." in response.content.decode()


def test_survey_stuffing_is_limited_per_address_and_centre(client):
    away_from_window_edge(3600)
    centre = Centre.objects.filter(kind="centre").first()
    codes = [
        client.post(
            f"/feedback/rate/{centre.code}", {"score": "10"}, REMOTE_ADDR="10.2.2.2"
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_external_survey_import_is_all_or_nothing(tmp_path, command):
    centre = Centre.objects.filter(kind="centre").first()
    good = tmp_path / "good.csv"
    good.write_text(
        f"centre_code,score,overall,submitted_at\n{centre.code},10,4,2026-05-04T10:00:00+03:00\n"
        f"{centre.code},6,2,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(f"centre_code,score\n{centre.code},12\nNOPE,5\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Нічого не імпортовано"):
        command(
            "feedback",
            "import-survey",
            str(bad),
            "--name",
            "Погане",
            "--from",
            "2026-04-01",
            "--to",
            "2026-06-30",
        )
    assert not ExternalSurvey.objects.filter(name="Погане").exists()
    output = command(
        "feedback",
        "import-survey",
        str(good),
        "--name",
        "Телефонне опитування",
        "--from",
        "2026-04-01",
        "--to",
        "2026-06-30",
    )
    assert "2" in output
    survey = ExternalSurvey.objects.get(name="Телефонне опитування")
    assert survey.responses.count() == 2
    assert set(survey.responses.values_list("source", flat=True)) == {"external"}


def test_survey_ratings_are_scoped(django_user_model):
    coordinator = django_user_model.objects.get(username="coordinator")
    responses = selectors.survey_responses_for(scope_of(coordinator), period=Period(2026))
    assert set(responses.values_list("region_id", flat=True)) == {"UA46000000000026241"}
    ministry = django_user_model.objects.get(username="ministry")
    national = selectors.survey_responses_for(scope_of(ministry), period=Period(2026))
    assert national.exclude(region_id="UA46000000000026241").exists()
    assert national.count() > responses.count()


def test_deleting_an_external_survey_in_the_admin_removes_its_answers_through_the_service(
    django_user_model, rf
):
    from django.contrib import admin

    from yakist.accounts.models import AuditEntry
    from yakist.feedback.services import external_survey_import

    centre = Centre.objects.filter(kind="centre").first()
    survey = ExternalSurvey(
        name="Імпортовано помилково",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
    )
    rows = [{"centre_code": centre.code, "score": "9"}, {"centre_code": centre.code, "score": "3"}]
    assert external_survey_import(survey=survey, rows=rows, actor=None) == (2, [])
    request = rf.post("/admin/")
    request.user = django_user_model.objects.get(username="ministry")
    model_admin = admin.site._registry[ExternalSurvey]
    survey_id = survey.pk
    model_admin.delete_model(request, survey)
    assert not SurveyResponse.objects.filter(survey_id=survey_id).exists()
    assert not ExternalSurvey.objects.filter(pk=survey_id).exists()
    entry = AuditEntry.objects.filter(action="survey_delete").latest("pk")
    assert entry.changes == {"responses": 2} and entry.object_id == str(survey_id)
