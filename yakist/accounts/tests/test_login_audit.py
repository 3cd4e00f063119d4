"""Logins, failed logins, throttling, CSRF and the audit trail."""

import pytest
from django.contrib.auth import get_user_model
from django.forms import BooleanField, MultiWidget
from django.test import Client

from yakist.accounts.models import AuditEntry
from yakist.demo.accounts import DEMO_PASSWORD

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
    assert "Оновіть сторінку" in response.content.decode()


def test_logout_is_audited(client, login):
    login("centre")
    client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action="logout", actor_name="centre").exists()


def test_admin_change_of_a_centre_is_audited_with_the_changed_field(client, login):
    from yakist.registry.models.reference import Centre

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


def _admin_form_data(page) -> dict:
    """What the admin change page would post back unchanged: the form and its inlines."""
    data: dict = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field.widget, MultiWidget):  # e.g. date and time of date_joined
                for index, (widget, part) in enumerate(
                    zip(field.widget.widgets, field.widget.decompress(value), strict=True)
                ):
                    data[f"{form.add_prefix(name)}_{index}"] = widget.format_value(part) or ""
            elif isinstance(field, BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(v) for v in value]
            else:
                data[form.add_prefix(name)] = "" if value is None else str(value)

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_admin_change_of_a_legal_term_in_an_inline_is_audited(client, login):
    from yakist.registry.models.reference import Service

    login("ministry")
    service = Service.objects.filter(terms__unit="working_days").first()
    term = service.terms.filter(unit="working_days").first()
    page = client.get(f"/admin/registry/service/{service.pk}/change/")
    data = _admin_form_data(page)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(term.pk))[:-3]
    data[f"{prefix}-value"] = str(term.value + 5)
    response = client.post(f"/admin/registry/service/{service.pk}/change/", data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="update", object_type="registry.serviceterm")
    assert entry.actor_name == "ministry" and entry.object_id == str(term.pk)
    assert entry.changes == {"value": [term.value, term.value + 5]}


def test_admin_change_of_a_staff_role_scope_is_audited(client):
    from yakist.registry.models.reference import Territory

    admin = get_user_model().objects.create_superuser("root", password="r" * 12)
    client.force_login(admin)
    coordinator = get_user_model().objects.get(username="coordinator")
    old_region = str(coordinator.staff_profile.region)
    page = client.get(f"/admin/auth/user/{coordinator.pk}/change/")
    data = _admin_form_data(page)
    field = next(k for k in data if k.endswith("-region"))
    volyn = Territory.objects.get(code="UA07000000000024379")
    data[field] = volyn.code
    response = client.post(f"/admin/auth/user/{coordinator.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="update", object_type="accounts.staffprofile")
    assert entry.actor_name == "root"
    assert entry.changes["region"] == [old_region, str(volyn)]


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_pages_are_ukrainian_whatever_the_browser_until_english_is_chosen(client, login):
    login("centre")
    page = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="uk"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/"})
    assert 'lang="en"' in client.get("/accounts/").content.decode()
