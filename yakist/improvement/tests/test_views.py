"""Staff pages: reachable in scope, writes through the services, refusals in Ukrainian."""

import pytest

from yakist.improvement.models import Measure, Problem


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get("/improvement/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ministry", "coordinator", "centre", "auditor"])
def test_register_opens_for_staff(client, login, username):
    login(username)
    response = client.get("/improvement/")
    assert response.status_code == 200
    assert "Реєстр проблем і заходів" in response.content.decode()


@pytest.mark.django_db
def test_centre_admin_records_a_problem_and_a_measure(client, login):
    user = login("centre")
    code = user.staff_profile.centre.code
    response = client.post(
        "/improvement/problems/new",
        {"subject": f"centre:{code}", "title": "Немає пандуса біля входу"},
    )
    problem = Problem.objects.get(title="Немає пандуса біля входу")
    assert response.status_code == 302 and problem.created_by == user
    response = client.post(
        f"/improvement/measures/new?problem={problem.pk}",
        {
            "subject": f"centre:{code}",
            "title": "Встановлено пандус",
            "responsible_body": "Міська рада",
            "started_on": "2025-07-01",
            "indicators": ["offline_compliance"],
        },
    )
    measure = Measure.objects.get(title="Встановлено пандус")
    assert response.status_code == 302 and measure.problem == problem
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MEASURE_TAKEN
    assert client.get(f"/improvement/problems/{problem.pk}/").status_code == 200


@pytest.mark.django_db
def test_auditor_is_refused_a_write(client, login):
    login("auditor")
    response = client.post("/improvement/problems/new", {"subject": "nation", "title": "Х"})
    assert response.status_code == 403
    assert "не дозволяє" in response.content.decode()
    assert not Problem.objects.filter(title="Х").exists()


@pytest.mark.django_db
def test_bad_date_is_explained(client, login):
    login("ministry")
    response = client.post(
        "/improvement/measures/new",
        {
            "subject": "nation",
            "title": "Захід",
            "responsible_body": "Мінцифри",
            "started_on": "01.07.2025",
            "addresses": "Проблема",
        },
    )
    assert response.status_code == 422
    assert "РРРР-ММ-ДД" in response.content.decode()


@pytest.mark.django_db
def test_coordinator_does_not_see_another_regions_problem(client, login, other_centre):
    problem = Problem.objects.create(
        kind="staff",
        subject_type="centre",
        subject_key=other_centre.code,
        subject_name=other_centre.name,
        centre=other_centre,
        region_id=other_centre.region_id,
        title="Чужа проблема",
        owner="Орган",
    )
    login("coordinator")
    assert client.get(f"/improvement/problems/{problem.pk}/").status_code == 404
    assert "Чужа проблема" not in client.get("/improvement/?status=").content.decode()
