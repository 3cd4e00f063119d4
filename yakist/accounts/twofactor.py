"""Two-factor login for staff (TOTP, RFC 6238) with django-otp: enrolment, verification and
the middleware that holds a signed-in user at the second step until it is done."""

from __future__ import annotations

import base64
from collections.abc import Callable

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakist.accounts.services import audit_record

# Paths a user may reach between the password and the second factor.
OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/healthz", "/i18n/")


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user) -> bool:
    """Everyone with a confirmed device must use it; roles in YAKIST_2FA_ROLES must enrol."""
    if confirmed_device(user) is not None:
        return True
    profile = getattr(user, "staff_profile", None)
    role = profile.role if profile is not None else None
    return settings.TWO_FACTOR_REQUIRED and (user.is_superuser or role in settings.TWO_FACTOR_ROLES)


@transaction.atomic
def device_enrol_start(*, user) -> TOTPDevice:
    """An unconfirmed device; a previous unfinished enrolment is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Якість", confirmed=False)


@transaction.atomic
def device_enrol_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        audit_record(
            actor=request.user, action="2fa_enrol_failed", obj=request.user, request=request
        )
        return False
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(actor=request.user, action="2fa_enrolled", obj=request.user, request=request)
    return True


def device_verify(*, request: HttpRequest, token: str) -> bool:
    device = confirmed_device(request.user)
    if device is None or not device.verify_token(token):
        audit_record(actor=request.user, action="2fa_failed", obj=request.user, request=request)
        return False
    otp_login(request, device)
    audit_record(actor=request.user, action="2fa_verified", obj=request.user, request=request)
    return True


def provisioning_qr(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG data URI for an authenticator app to scan."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_for_manual_entry(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TwoFactorMiddleware:
    """After the password, staff must pass the second factor before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and second_factor_required(user)
        ):
            if confirmed_device(user) is None:
                return redirect("accounts:2fa_setup")
            verify = reverse("accounts:2fa_verify")
            if request.method != "GET":
                return redirect(verify)
            # Back to the page asked for once the code is entered (the view checks it is ours).
            return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
