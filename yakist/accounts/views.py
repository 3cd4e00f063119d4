"""Staff home page per role, and the audit log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yakist.accounts import selectors, twofactor
from yakist.accounts.forms import ThrottledAuthenticationForm
from yakist.accounts.scope import scope_of

# The one login door: /accounts/login/ and /admin/login/ both (yakist/urls.py), so the admin
# site shares the throttle, the audit and the second factor of the staff pages.
login_door = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=ThrottledAuthenticationForm,
    redirect_authenticated_user=True,
)


def admin_login_door(request: HttpRequest) -> HttpResponse:
    """The login door at /admin/login/. Someone signed in without admin rights is refused here
    rather than sent back to /admin/, which would send them to this page again."""
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied
    return login_door(request)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.can_read_audit:
        raise PermissionDenied
    entries = selectors.audit_entries_for(
        scope, action=request.GET.get("action") or None, actor=request.GET.get("actor") or None
    ).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"page": page, "filters": request.GET})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with one code. Replacing an
    enrolled app needs a verified session and a code from that app as well."""
    if not twofactor.enrolment_allowed(request.user):
        return redirect("accounts:2fa_verify")
    replacing = twofactor.confirmed_device(request.user) is not None
    device_id = request.session.get("2fa_enrol_device")
    device = None
    if device_id:
        device = twofactor.TOTPDevice.objects.filter(
            pk=device_id, user=request.user, confirmed=False
        ).first()
    if device is None:
        device = twofactor.device_enrol_start(user=request.user)
        request.session["2fa_enrol_device"] = device.pk
    error = None
    if request.method == "POST":
        outcome = twofactor.device_enrol_confirm(
            request=request,
            device=device,
            token=_token(request, "token"),
            current_token=_token(request, "current_token"),
        )
        if outcome == twofactor.Enrolment.DONE:
            request.session.pop("2fa_enrol_device", None)
            messages.success(request, _("Двофакторний вхід увімкнено."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        if outcome == twofactor.Enrolment.WRONG_CURRENT_CODE:
            error = _("Код із поточного застосунку не підходить. Введіть новий код із нього.")
        else:
            error = _("Код не підходить. Перевірте час на телефоні й введіть новий код.")
    return render(
        request,
        "accounts/2fa_setup.html",
        {
            "qr": twofactor.provisioning_qr(device),
            "secret": twofactor.secret_for_manual_entry(device),
            "error": error,
            "replacing": replacing,
            "can_remove": replacing and not twofactor.role_requires_second_factor(request.user),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Switch the second factor off (roles that need it cannot): a verified session and a code."""
    if twofactor.device_remove(request=request, token=_token(request, "token")):
        messages.success(request, _("Двофакторний вхід вимкнено."))
    else:
        messages.error(request, _("Код не підходить; двофакторний вхід не вимкнено."))
    return redirect(settings.LOGIN_REDIRECT_URL)


def _token(request: HttpRequest, name: str) -> str:
    return (request.POST.get(name) or "").replace(" ", "")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        token = (request.POST.get("token") or "").replace(" ", "")
        if twofactor.device_verify(request=request, token=token):
            return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
        error = _("Код не підходить або застарів. Введіть новий код із застосунку.")
    return render(
        request, "accounts/2fa_verify.html", {"error": error}, status=400 if error else 200
    )


def _safe_next(request: HttpRequest) -> str | None:
    """The `next` page if it is on this site; never a redirect to somewhere else."""
    target = request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None
