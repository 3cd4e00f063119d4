"""Logins, failed logins, throttling, CSRF and the audit trail."""

import pytest
from django.test import Client

from yakist.accounts.demo import DEMO_PASSWORD
from yakist.accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_login_is_audited_with_the_user(client):
    response = client.post("/accounts/login/", {"username": "ministry", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="login").latest("at")
    assert entry.actor_name == "ministry" and entry.ip == "127.0.0.1"


def test_failed_login_is_audited_without_the_password(client):
    response = client.post("/accounts/login/", {"username": "ministry", "password": "wrong-one"})
    assert response.status_code == 200
    assert (
        "Введіть правильні" in response.content.decode() or "правильн" in response.content.decode()
    )
    entry = AuditEntry.objects.filter(action="login_failed").latest("at")
    assert entry.object_id == "ministry"
    assert "wrong-one" not in str(entry.changes) + entry.summary


def test_repeated_failures_pause_logins_with_a_ukrainian_message(client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "auditor", "password": "nope-nope"})
    response = client.post("/accounts/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    assert response.status_code == 200  # even the right password waits out the pause
    assert "Забагато невдалих спроб входу" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_form_requires_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "ministry", "password": DEMO_PASSWORD})
    assert response.status_code == 403


def test_logout_is_audited(client, login):
    login("centre")
    client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action="logout", actor_name="centre").exists()


def test_admin_change_of_a_centre_is_audited_with_the_changed_field(client, login):
    from yakist.registry.models import Centre

    login("ministry")
    centre = Centre.objects.filter(kind="centre").first()
    page = client.get(f"/admin/registry/centre/{centre.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["phone"] = "+380 44 000 00 01"
    for name in ("parent", "founder", "territory", "hromada", "region"):
        data[name] = getattr(centre, f"{name}_id") or ""
    response = client.post(f"/admin/registry/centre/{centre.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.filter(action="update", object_type="registry.centre").latest("at")
    assert entry.actor_name == "ministry"
    assert entry.changes["phone"][1] == "+380 44 000 00 01"


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
