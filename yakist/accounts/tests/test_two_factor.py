"""Two-factor login: enrolment with an authenticator app, verification, refusal of bad codes."""

import time
from urllib.parse import urlencode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakist.accounts.models import AuditEntry
from yakist.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttling test below turns it back on


def code_for(device: TOTPDevice, offset_seconds: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_seconds
    return f"{totp.token():06d}"


def test_staff_without_a_device_must_enrol_before_any_page(client, required):
    client.post("/accounts/login/", {"username": "coordinator", "password": DEMO_PASSWORD})
    response = client.get("/registry/centres/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    setup = client.get("/accounts/2fa/setup/")
    assert setup.status_code == 200
    assert "data:image/svg+xml;base64," in setup.content.decode()


def test_enrolment_with_a_correct_code_opens_the_cabinet(client, required):
    client.post("/accounts/login/", {"username": "coordinator", "password": DEMO_PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user__username="coordinator", confirmed=False)
    bad = client.post(
        "/accounts/2fa/setup/", {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert bad.status_code == 400 and "Код не підходить" in bad.content.decode()
    done = client.post("/accounts/2fa/setup/", {"token": code_for(device)})
    assert done.status_code == 302
    assert client.get("/registry/centres/").status_code == 200
    assert AuditEntry.objects.filter(action="2fa_enrolled", actor_name="coordinator").exists()


def test_enrolled_user_must_enter_a_fresh_code_at_each_login(client, required):
    client.post("/accounts/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user__username="auditor")
    used = code_for(device)
    client.post("/accounts/2fa/setup/", {"token": used})
    client.post("/accounts/logout/")

    client.post("/accounts/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    verify = client.get("/accounts/audit/")["Location"]
    assert verify == "/accounts/2fa/verify/?next=%2Faccounts%2Faudit%2F"
    replay = client.post(verify, {"token": used})
    assert replay.status_code == 400  # a code is good once
    device.refresh_from_db()  # the server may have learnt the phone's clock drift
    ok = client.post(verify, {"token": code_for(device, offset_seconds=30)})
    assert ok.status_code == 302 and ok["Location"] == "/accounts/audit/"
    assert client.get("/accounts/audit/").status_code == 200


def test_public_pages_and_health_stay_open_without_login(client, required):
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_after_a_wrong_code_even_the_right_one_waits(client, required, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    client.post("/accounts/login/", {"username": "ministry", "password": DEMO_PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user__username="ministry", confirmed=False)
    right = code_for(device)
    client.post("/accounts/2fa/setup/", {"token": "999999" if right != "999999" else "888888"})
    assert client.post("/accounts/2fa/setup/", {"token": right}).status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_code_page_never_redirects_to_another_site(client, required, target):
    client.post("/accounts/login/", {"username": "provider", "password": DEMO_PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user__username="provider")
    client.post("/accounts/2fa/setup/", {"token": code_for(device)})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "provider", "password": DEMO_PASSWORD})
    device.refresh_from_db()
    done = client.post(
        "/accounts/2fa/verify/?" + urlencode({"next": target}),
        {"token": code_for(device, offset_seconds=30)},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/"


def enrolled(client, username: str) -> TOTPDevice:
    """`username` with a confirmed device, signed out again."""
    client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    assert client.post("/accounts/2fa/setup/", {"token": code_for(device)}).status_code == 302
    client.post("/accounts/logout/")
    device.refresh_from_db()
    return device


STAFF_PAGES = [
    "/accounts/",
    "/accounts/audit/",
    "/registry/centres/",
    "/analytics/",
    "/admin/",
    "/accounts/2fa/setup/",
]


def test_hole_01_password_alone_cannot_reach_2fa_setup(client, required):
    device = enrolled(client, "auditor")
    client.post("/accounts/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/2fa/verify/")
    posted = client.post("/accounts/2fa/setup/", {"token": "123456"})
    assert posted.status_code == 302 and posted["Location"] == "/accounts/2fa/verify/"
    # No new secret was offered and the owner's device is still the one.
    assert list(TOTPDevice.objects.filter(user__username="auditor")) == [device]
    assert device.confirmed


def test_hole_01_password_alone_reaches_no_staff_page(client, required):
    enrolled(client, "ministry")
    client.post("/accounts/login/", {"username": "ministry", "password": DEMO_PASSWORD})
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/verify/"), path
    assert client.post("/accounts/2fa/remove/", {"token": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user__username="ministry", confirmed=True).count() == 1


def test_hole_01_the_setup_view_itself_refuses_an_unverified_session(required, rf):
    """The view checks on its own, not only the middleware in front of it."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from yakist.accounts import views

    user = get_user_model().objects.get(username="coordinator")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    request = rf.get("/accounts/2fa/setup/")
    request.user = user
    user.is_verified = lambda: False
    request.session = SessionStore()
    response = views.two_factor_setup(request)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/verify/"
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def test_hole_01_reenrolment_asks_for_the_current_code(
    client, required, mailoutbox, django_capture_on_commit_callbacks
):
    old = enrolled(client, "coordinator")
    client.post("/accounts/login/", {"username": "coordinator", "password": DEMO_PASSWORD})
    client.post("/accounts/2fa/verify/", {"token": code_for(old, offset_seconds=30)})
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200 and 'name="current_token"' in page.content.decode()
    new = TOTPDevice.objects.get(user__username="coordinator", confirmed=False)
    without_old = client.post("/accounts/2fa/setup/", {"token": code_for(new)})
    assert without_old.status_code == 400
    assert "поточного застосунку" in without_old.content.decode()
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    mailoutbox.clear()
    old.refresh_from_db()
    new.refresh_from_db()
    # Mails to the owner leave when the change commits; tests run inside one transaction.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/accounts/2fa/setup/",
            {"token": code_for(new), "current_token": code_for(old, offset_seconds=30)},
        )
    assert done.status_code == 302
    assert list(TOTPDevice.objects.filter(user__username="coordinator")) == [new]
    entry = AuditEntry.objects.filter(action="2fa_enrolled", actor_name="coordinator").latest("pk")
    assert entry.changes == {"replaced_devices": 1}
    assert [m.to for m in mailoutbox] == [["coordinator@demo.example"]]
    assert "замінено" in mailoutbox[0].subject


def test_hole_01_enrolment_is_audited_and_mailed(
    client, required, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolled(client, "auditor")
    assert AuditEntry.objects.filter(action="2fa_enrolled", actor_name="auditor").exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["auditor@demo.example"]
    assert "увімкнено" in mailoutbox[0].subject


def test_hole_01_removal_needs_a_code_is_audited_and_mailed(
    client, required, mailoutbox, django_capture_on_commit_callbacks
):
    device = enrolled(client, "centre")  # a centre administrator may do without
    client.post("/accounts/login/", {"username": "centre", "password": DEMO_PASSWORD})
    client.post("/accounts/2fa/verify/", {"token": code_for(device, offset_seconds=30)})
    mailoutbox.clear()
    client.post("/accounts/2fa/remove/", {"token": "000000"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    device.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/remove/", {"token": code_for(device, offset_seconds=30)})
    assert not TOTPDevice.objects.filter(user__username="centre").exists()
    assert AuditEntry.objects.filter(action="2fa_removed", actor_name="centre").exists()
    assert len(mailoutbox) == 1 and "вимкнено" in mailoutbox[0].subject


def test_hole_01_roles_that_require_the_second_factor_cannot_remove_it(client, required):
    device = enrolled(client, "auditor")
    client.post("/accounts/login/", {"username": "auditor", "password": DEMO_PASSWORD})
    client.post("/accounts/2fa/verify/", {"token": code_for(device, offset_seconds=30)})
    device.refresh_from_db()
    refused = client.post("/accounts/2fa/remove/", {"token": code_for(device, offset_seconds=30)})
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize(
    ("username", "must_enrol"),
    [("ministry", True), ("coordinator", True), ("auditor", True), ("centre", False)],
)
def test_hole_01_second_factor_is_required_for_ministry_coordinator_and_auditor(
    client, required, username, must_enrol
):
    client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    response = client.get("/accounts/")
    if must_enrol:
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    else:
        assert response.status_code == 200


def test_hole_01_admin_removal_of_a_lost_device_is_audited_and_mailed(
    rf, mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="auditor")
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    request = rf.post("/admin/otp_totp/totpdevice/")
    request.user = get_user_model().objects.get(username="ministry")
    model_admin = admin.site._registry[TOTPDevice]
    assert not model_admin.has_change_permission(request, device)  # the secret stays unseen
    with django_capture_on_commit_callbacks(execute=True):
        model_admin.delete_model(request, device)
    assert not TOTPDevice.objects.filter(user=owner).exists()
    entry = AuditEntry.objects.filter(action="2fa_removed").latest("pk")
    assert entry.actor_name == "ministry" and entry.object_id == str(owner.pk)
    assert mailoutbox[0].to == ["auditor@demo.example"]
