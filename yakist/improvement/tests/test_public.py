"""Public pages and open data: practices, measures in publications, external survey reports."""

import datetime as dt
import json

import pytest

from yakist.core.periods import Period
from yakist.feedback.models import ExternalSurvey, SurveyResponse
from yakist.feedback.services import external_survey_import
from yakist.improvement import services
from yakist.improvement.subjects import subject_resolve
from yakist.improvement.tests.conftest import AFTER
from yakist.portal import services as portal
from yakist.portal import sources

TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def practice(user, effect_world):
    subject, _ = effect_world
    ministry = user("ministry")
    problem = services.problem_raise(
        actor=ministry, subject=subject_resolve(f"centre:{subject.code}"), title="Довгі строки"
    )
    services.problem_transition(actor=ministry, problem=problem, status="in_work")
    measure = services.measure_record(
        actor=ministry,
        subject=subject_resolve(f"centre:{subject.code}"),
        title="Електронна черга і попередній запис",
        responsible_body="Виконавчий комітет міської ради",
        started_on=AFTER.first_day,
        indicators_aimed=["timeliness"],
        problem=problem,
    )
    services.problem_transition(actor=ministry, problem=problem, status="resolved")
    return services.practice_mark(
        actor=ministry,
        problem=problem,
        measure=measure,
        topic="Строки надання послуг",
        summary="Запис на час рівномірно розподіляє навантаження.",
        contact_body="ЦНАП міської ради",
        today=TODAY,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_practices_page_links_measure_and_evidence(client, practice, prefix):
    response = client.get(f"{prefix}/practices/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Строки надання послуг" in page
    assert f"/measures/{practice.measure_id}" in page
    assert "ЦНАП міської ради" in page
    assert 'lang="en"' in page if prefix else 'lang="uk"' in page


@pytest.mark.django_db
def test_open_data_lists_measures_and_practices(client, practice):
    measures = json.loads(client.get("/open-data/measures.json").content)["records"]
    assert any(m["id"] == practice.measure_id and m["period_after"] == "2025Q3" for m in measures)
    practices = json.loads(client.get("/open-data/practices.json").content)["records"]
    ours = next(p for p in practices if p["id"] == practice.pk)
    assert ours["topic"] == "Строки надання послуг"
    assert ours["measure_url"].endswith(f"/measures/{practice.measure_id}")
    assert json.loads(ours["evidence"])[0]["verdict"] == "effect"
    csv = client.get("/open-data/practices.csv").content.decode()
    assert csv.splitlines()[0].startswith("id,url,topic")
    assert client.get("/open-data/nothing.csv").status_code == 404


@pytest.mark.django_db
def test_publication_carries_the_measures_of_its_period(client, user, lviv_centres):
    from yakist.accounts.scope import scope_of
    from yakist.portal.tests import factories

    ministry = user("ministry")
    centre = lviv_centres[0]
    services.measure_record(
        actor=ministry,
        subject=subject_resolve(f"centre:{centre.code}"),
        title="Мобільний ЦНАП у віддалених селах",
        responsible_body="Сільська рада",
        started_on=dt.date(2025, 8, 1),
        addresses="Далеко до центру",
    )
    services.measure_record(
        actor=ministry,
        subject=subject_resolve(f"centre:{centre.code}"),
        title="Захід іншого кварталу",
        responsible_body="Сільська рада",
        started_on=dt.date(2025, 11, 1),
        addresses="Інше",
    )
    subject = sources.subject_get("centre", centre.code)
    factories.results(period=AFTER, subjects=[subject.ref])
    scope = scope_of(ministry)
    publication = portal.publication_prepare(
        subject=subject, period=AFTER, scope=scope, actor=ministry
    )
    portal.publication_approve(publication=publication, scope=scope, actor=ministry)
    publication = portal.publication_publish(publication=publication, scope=scope, actor=ministry)
    page = client.get(f"/p/{publication.code}").content.decode()
    assert "Мобільний ЦНАП у віддалених селах" in page
    assert "Захід іншого кварталу" not in page
    english = client.get(f"/en/p/{publication.code}").content.decode()
    assert "Measures taken to improve quality" in english
    content = json.loads(client.get(f"/p/{publication.code}/content.json").content)
    assert [m["title"] for m in content["measures"]] == ["Мобільний ЦНАП у віддалених селах"]
    data = json.loads(client.get(f"/open-data/{AFTER.code}.json").content)
    assert [m["title"] for m in data["measures"]] == ["Мобільний ЦНАП у віддалених селах"]


@pytest.fixture
def survey_report(user, lviv_centres):
    quarter = Period(2025, 3)
    rows = [
        {"centre_code": c.code, "overall": "4" if i % 4 else "2", "score": "10" if i % 3 else "5"}
        for c in lviv_centres[:3]
        for i in range(40)
    ]
    survey = ExternalSurvey(
        name="Пробна зовнішня оцінка",
        conducted_by="Соціологічна служба",
        method="CATI",
        period_start=quarter.first_day,
        period_end=quarter.last_day,
    )
    count, errors = external_survey_import(survey=survey, rows=rows, actor=user("ministry"))
    assert (count, errors) == (120, [])
    return services.survey_report_publish(actor=user("ministry"), survey=survey)


@pytest.mark.django_db
def test_external_survey_report_shows_its_own_figures(client, survey_report):
    page = client.get(f"/external-surveys/{survey_report.pk}").content.decode()
    assert "Соціологічна служба" in page and "CATI" in page
    assert "75" in page  # 90 of 120 answered «good» or «excellent»
    assert "Львівська" in page
    listing = client.get("/en/external-surveys/").content.decode()
    assert f"/en/external-surveys/{survey_report.pk}" in listing
    records = json.loads(client.get("/open-data/external-surveys.json").content)["records"]
    total = next(
        r
        for r in records
        if r["survey_id"] == survey_report.survey_id
        and r["region"] == ""
        and r["source"] == "external"
    )
    assert total["n"] == 120
    assert total["satisfaction"] == pytest.approx(0.75)
    assert total["satisfaction_low"] < 0.75 < total["satisfaction_high"]


@pytest.mark.django_db
def test_only_the_ministry_publishes_a_survey_report(user, lviv_centres):
    from yakist.core.problems import Forbidden

    survey = ExternalSurvey.objects.create(
        name="S", period_start=dt.date(2025, 7, 1), period_end=dt.date(2025, 7, 31)
    )
    with pytest.raises(Forbidden):
        services.survey_report_publish(actor=user("coordinator"), survey=survey)


@pytest.mark.django_db
def test_external_answers_keep_their_source(survey_report):
    answers = SurveyResponse.objects.filter(survey=survey_report.survey)
    assert set(answers.values_list("source", flat=True)) == {"external"}


@pytest.mark.django_db
def test_unprefixed_public_page_is_ukrainian_whatever_the_language_cookie(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/practices/").content.decode()
    assert 'lang="uk"' in page and "Добрі практики" in page
