"""Two-factor login for staff (TOTP, RFC 6238) with django-otp: enrolment, verification and
the middleware that holds a signed-in user at the second step until it is done."""

from __future__ import annotations

import base64
from collections.abc import Callable
from enum import StrEnum

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakist.accounts.services import audit_record, client_ip

# Paths open to a signed-in user who has not passed the second factor yet; the setup page is
# open too, but only to a user without a confirmed device (the middleware and the view check).
OPEN_PREFIXES = ("/accounts/logout/", "/static/", "/healthz", "/i18n/")


class Enrolment(StrEnum):
    DONE = "done"
    WRONG_CODE = "wrong_code"
    WRONG_CURRENT_CODE = "wrong_current_code"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user) -> bool:
    """Everyone with a confirmed device must use it; roles in YAKIST_2FA_REQUIRED_ROLES (and
    superusers) must enrol where the second factor is required."""
    if confirmed_device(user) is not None:
        return True
    return role_requires_second_factor(user)


def role_requires_second_factor(user) -> bool:
    profile = getattr(user, "staff_profile", None)
    role = profile.role if profile is not None else None
    return settings.TWO_FACTOR_REQUIRED and (user.is_superuser or role in settings.TWO_FACTOR_ROLES)


def enrolment_allowed(user) -> bool:
    """A new device may be enrolled only by a user who has none, or who has just passed the
    second factor with the one they have: a password alone never replaces a device."""
    return user.is_verified() or confirmed_device(user) is None


@transaction.atomic
def device_enrol_start(*, user) -> TOTPDevice:
    """An unconfirmed device; a previous unfinished enrolment is replaced."""
    if not enrolment_allowed(user):
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Якість", confirmed=False)


@transaction.atomic
def device_enrol_confirm(
    *, request: HttpRequest, device: TOTPDevice, token: str, current_token: str = ""
) -> Enrolment:
    """Confirm a new device with its first code. Replacing a confirmed device also takes a
    code from that device, so a left-open session alone cannot move the second factor."""
    user = request.user
    if not enrolment_allowed(user):
        raise PermissionDenied
    previous = confirmed_device(user)
    if previous is not None and not previous.verify_token(current_token):
        audit_record(actor=user, action="2fa_enrol_failed", obj=user, request=request)
        return Enrolment.WRONG_CURRENT_CODE
    if not device.verify_token(token):
        audit_record(actor=user, action="2fa_enrol_failed", obj=user, request=request)
        return Enrolment.WRONG_CODE
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    replaced_count = replaced.count()
    replaced.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(
        actor=user,
        action="2fa_enrolled",
        obj=user,
        request=request,
        changes={"replaced_devices": replaced_count},
    )
    _notify(user, replaced=bool(replaced_count), request=request)
    return Enrolment.DONE


@transaction.atomic
def device_remove(*, request: HttpRequest, token: str) -> bool:
    """Switch the second factor off with a code from the device; refused where a role needs it."""
    user = request.user
    device = confirmed_device(user)
    if device is None or not user.is_verified() or role_requires_second_factor(user):
        raise PermissionDenied
    if not device.verify_token(token):
        audit_record(actor=user, action="2fa_remove_failed", obj=user, request=request)
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=user, action="2fa_removed", obj=user, request=request)
    _notify(user, removed=True, request=request)
    return True


@transaction.atomic
def device_remove_by_admin(*, request: HttpRequest, device: TOTPDevice) -> None:
    """An administrator removes a user's device (a lost phone); the owner enrols again at the
    next login. Audited and mailed to the owner like a removal of their own."""
    owner = device.user
    device.delete()
    audit_record(
        actor=request.user,
        action="2fa_removed",
        obj=owner,
        request=request,
        changes={"by_admin": True},
    )
    _notify(owner, removed=True, request=request)


def _notify(user, *, request: HttpRequest, replaced: bool = False, removed: bool = False) -> None:
    """Tell the owner by e-mail: a change they did not make is their alarm bell."""
    if not user.email:
        return
    if removed:
        subject = _("Якість: двофакторний вхід вимкнено")
        what = _("Двофакторний вхід до вашого облікового запису вимкнено.")
    elif replaced:
        subject = _("Якість: пристрій двофакторного входу замінено")
        what = _("До вашого облікового запису прив'язано новий застосунок-автентифікатор.")
    else:
        subject = _("Якість: двофакторний вхід увімкнено")
        what = _("До вашого облікового запису прив'язано застосунок-автентифікатор.")
    body = "\n\n".join(
        [
            what,
            _("Час: %(at)s. Адреса: %(ip)s.")
            % {
                "at": timezone.localtime().strftime("%d.%m.%Y %H:%M"),
                "ip": client_ip(request) or "—",
            },
            _("Якщо це зробили не ви, негайно змініть пароль і повідомте адміністратора безпеки."),
        ]
    )
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


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
        ):
            verify = reverse("accounts:2fa_verify")
            if confirmed_device(user) is not None:
                # Only the code page: the setup page too would let a password replace the device.
                if request.path == verify:
                    return self.get_response(request)
                if request.method != "GET":
                    return redirect(verify)
                # Back to the page asked for once the code is entered (the view checks it is ours).
                return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
            setup = reverse("accounts:2fa_setup")
            if role_requires_second_factor(user) and request.path not in (setup, verify):
                return redirect(setup)
        return self.get_response(request)
