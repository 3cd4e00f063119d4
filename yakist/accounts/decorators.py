"""View decorators for staff pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from yakist.accounts.scope import scope_of


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the login page), then a staff role: a login without a role opens no
    staff page (403) rather than an empty one."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not scope_of(request.user).is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
