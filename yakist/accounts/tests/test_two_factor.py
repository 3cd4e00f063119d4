"""Two-factor login: enrolment with an authenticator app, verification, refusal of bad codes."""

import time
from urllib.parse import urlencode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakist.accounts.demo import DEMO_PASSWORD
from yakist.accounts.models import AuditEntry

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
