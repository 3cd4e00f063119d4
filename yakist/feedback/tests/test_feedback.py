"""Public feedback: routing, tracking codes, privacy, spam defences, answering in the queue."""

import pytest
from django.utils import timezone

from yakist.accounts.models import AuditEntry
from yakist.core.testing import away_from_window_edge
from yakist.feedback.models import FeedbackMessage
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_demo_messages():
    """The demo world has messages of its own; these tests count only theirs."""
    FeedbackMessage.objects.all().delete()


def lviv_point() -> Centre:
    return Centre.objects.filter(region_id="UA46000000000026241").exclude(kind="centre").first()


def submit(client, **data):
    payload = {
        "kind": "data_error",
        "text": "Графік роботи на сторінці неточний.",
        "subject": "national",
        "page": "/",
        "contact": "",
        "website": "",
    }
    payload.update(data)
    return client.post("/feedback/submit", payload, REMOTE_ADDR=data.pop("ip", "10.0.0.1"))


def test_message_about_an_access_point_is_routed_to_its_main_centre(client):
    point = lviv_point()
    response = submit(client, subject=f"centre:{point.code}", page=f"/centres/{point.code}")
    assert response.status_code == 302
    message = FeedbackMessage.objects.get()
    assert message.routed_centre == point.parent
    assert message.routed_region_id == "UA46000000000026241"
    assert response["Location"] == f"/feedback/status/{message.tracking_code}"
    assert (message.due_at - message.received_at).days == 15


def test_message_about_a_region_goes_to_its_administration_and_national_to_the_ministry(client):
    submit(client, subject="region:UA46000000000026241")
    submit(client, subject="indicator:timeliness", ip="10.0.0.2")
    regional, national = FeedbackMessage.objects.order_by("received_at")
    assert regional.routed_organisation.kind == "regional_admin"
    assert national.routed_organisation.kind == "ministry"


def test_status_page_shows_the_answer_but_never_the_contact(client):
    submit(client, contact="ivan@example.com", text="<script>alert(1)</script> дані неточні")
    message = FeedbackMessage.objects.get()
    page = client.get(f"/feedback/status/{message.tracking_code}").content.decode()
    assert "ivan@example.com" not in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_tracking_code_is_a_404_page():
    from django.test import Client

    response = Client().get("/feedback/status/ZZZZ-ZZZZ")
    assert response.status_code == 404
    assert "Сторінку не знайдено" in response.content.decode()


def test_honeypot_submissions_are_not_stored(client):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200
    assert not FeedbackMessage.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("коротко", "щонайменше 10 символів"),
        ("д" * 2001, "не більше 2000 символів"),
        ("", "Напишіть, будь ласка"),
    ],
)
def test_bad_text_is_refused_with_a_ukrainian_message(client, text, error):
    response = submit(client, text=text)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not FeedbackMessage.objects.exists()


def test_flood_from_one_address_gets_429_with_retry_after(client):
    away_from_window_edge(600)
    for _ in range(5):
        assert submit(client, ip="10.9.9.9").status_code == 302
    response = submit(client, ip="10.9.9.9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Повторіть запит через" in response.content.decode()
    assert FeedbackMessage.objects.count() == 5
    assert submit(client, ip="10.9.9.10").status_code == 302  # others are not affected


def test_centre_admin_answers_its_message_and_the_author_sees_it(client, login):
    user = login("centre")
    submit(client, subject=f"centre:{user.staff_profile.centre.code}", contact="+380 00 000 0000")
    message = FeedbackMessage.objects.get()
    item = client.get(f"/feedback/queue/{message.tracking_code}/")
    assert item.status_code == 200 and "+380 00 000 0000" in item.content.decode()
    assert AuditEntry.objects.filter(action="feedback_view", object_id=str(message.pk)).exists()
    client.post(
        f"/feedback/queue/{message.tracking_code}/",
        {"action": "answer", "answer": "Графік виправлено, дякуємо."},
    )
    message.refresh_from_db()
    assert message.state == "answered" and message.answered_by == user
    public = client.get(f"/feedback/status/{message.tracking_code}").content.decode()
    assert "Графік виправлено, дякуємо." in public


def test_a_centre_cannot_see_another_centres_messages(client, login):
    other = Centre.objects.filter(kind="centre", region_id="UA07000000000024379").first()
    submit(client, subject=f"centre:{other.code}")
    message = FeedbackMessage.objects.get()
    login("centre")
    assert client.get(f"/feedback/queue/{message.tracking_code}/").status_code == 404
    assert message.tracking_code not in client.get("/feedback/queue/").content.decode()


def test_coordinator_sees_overdue_messages_of_its_oblast(client, login):
    point = lviv_point()
    submit(client, subject=f"centre:{point.code}")
    FeedbackMessage.objects.update(due_at=timezone.now() - timezone.timedelta(days=1))
    login("coordinator")
    page = client.get("/feedback/queue/", {"overdue": "1"})
    assert page.status_code == 200
    assert FeedbackMessage.objects.get().tracking_code in page.content.decode()
    home = client.get("/accounts/").content.decode()
    assert "прострочено: 1" in home


def test_answered_message_cannot_be_answered_twice(client, login):
    user = login("centre")
    submit(client, subject=f"centre:{user.staff_profile.centre.code}")
    code = FeedbackMessage.objects.get().tracking_code
    client.post(f"/feedback/queue/{code}/", {"action": "answer", "answer": "Перша відповідь"})
    response = client.post(
        f"/feedback/queue/{code}/", {"action": "answer", "answer": "Друга"}, follow=True
    )
    assert "вже відповіли" in response.content.decode()
    assert FeedbackMessage.objects.get().answer == "Перша відповідь"


def test_feedback_pages_keep_the_sites_language_not_the_browsers(client):
    """Reached from the Ukrainian site, the status page is Ukrainian whatever the browser
    asks; from an English page (hidden field `lang`), it stays English, with a way back."""
    response = client.post(
        "/feedback/submit",
        {"kind": "data_error", "text": "Дані на сторінці неточні.", "subject": "national"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    code = FeedbackMessage.objects.get().tracking_code
    assert response["Location"] == f"/feedback/status/{code}"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="uk">' in page and 'action="/feedback/submit"' not in page
    english = submit(client, text="The data on this page is wrong.", lang="en", ip="10.0.0.2")
    assert english["Location"].endswith("?lang=en")
    page = client.get(english["Location"]).content.decode()
    assert '<html lang="en">' in page
    english_code = english["Location"].removeprefix("/feedback/status/").removesuffix("?lang=en")
    assert f'href="/feedback/status/{english_code}" lang="uk"' in page  # the switch back
    refused = submit(client, text="short", lang="en", ip="10.0.0.3")
    assert refused.status_code == 400 and '<html lang="en">' in refused.content.decode()


@pytest.mark.parametrize("action", ["answer", "reject", "take"])
def test_hole_04_auditor_cannot_answer_feedback(client, login, action):
    """The auditor reads every queue but its answer would go public as the state's word: the
    page refuses with 403 and the services refuse too, whoever calls them."""
    submit(client, subject=f"centre:{lviv_point().code}")
    message = FeedbackMessage.objects.get()
    auditor = login("auditor")
    assert client.get(f"/feedback/queue/{message.tracking_code}/").status_code == 200
    response = client.post(
        f"/feedback/queue/{message.tracking_code}/",
        {"action": action, "answer": "Відповідь аудитора"},
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == "received" and message.answer == ""
    assert not AuditEntry.objects.filter(action__in=["feedback_answered", "feedback_rejected"])
    from yakist.accounts.scope import ReadOnlyRole
    from yakist.feedback import services

    call = {
        "answer": lambda: services.message_answer(message=message, answer="Так", actor=auditor),
        "reject": lambda: services.message_reject(message=message, reason="Спам", actor=auditor),
        "take": lambda: services.message_take(message=message, actor=auditor),
    }[action]
    with pytest.raises(ReadOnlyRole):
        call()
    message.refresh_from_db()
    assert message.state == "received" and message.answered_by is None


def test_a_centre_cannot_answer_another_centres_message_through_the_service(client, login):
    from yakist.core.problems import Forbidden
    from yakist.feedback import services

    other = Centre.objects.filter(kind="centre", region_id="UA07000000000024379").first()
    submit(client, subject=f"centre:{other.code}")
    message = FeedbackMessage.objects.get()
    user = login("centre")
    with pytest.raises(Forbidden):
        services.message_answer(message=message, answer="Не наше", actor=user)
    assert FeedbackMessage.objects.get().state == "received"
