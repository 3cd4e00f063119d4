"""Every public form that takes contacts or ratings shows the privacy notice (Order 145 p.6,
Law «Про захист персональних даних»), in Ukrainian and in English; contacts are erased after
the retention the notice promises."""

import datetime as dt

import pytest
from django.utils import timezone

from yakist.feedback.models import FeedbackMessage
from yakist.feedback.services import feedback_contacts_purge, message_submit
from yakist.registry.models.reference import Centre

pytestmark = pytest.mark.django_db


def test_feedback_and_rating_forms_show_the_privacy_notice(client):
    centre = Centre.objects.filter(kind="centre").first()
    for url in ("/feedback/new", f"/feedback/rate/{centre.code}", "/"):
        page = client.get(url).content.decode()
        assert "Як ми обробляємо ці дані" in page, url
        assert "Про захист персональних даних" in page, url
        assert "№ 145" in page, url
    english = client.get("/en/").content.decode()
    assert "How we process this data" in english


def test_contacts_of_closed_messages_are_erased_after_the_retention():
    old = message_submit(
        kind="data_error",
        subject="national",
        page="/",
        text="Неточні дані в таблиці",
        contact="a@example.org",
        ip="10.9.9.9",
    )
    FeedbackMessage.objects.filter(pk=old.pk).update(
        state="rejected",
        received_at=timezone.now() - dt.timedelta(days=400),
        answered_at=timezone.now() - dt.timedelta(days=399),
    )
    open_one = message_submit(
        kind="data_error",
        subject="national",
        page="/",
        text="Ще одна неточність у даних",
        contact="b@example.org",
        ip="10.9.9.8",
    )
    assert feedback_contacts_purge(older_than_days=365) == 1
    old.refresh_from_db(), open_one.refresh_from_db()
    assert old.contact == "" and open_one.contact == "b@example.org"
