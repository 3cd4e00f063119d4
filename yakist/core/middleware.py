"""Cross-cutting HTTP middleware."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from yakist.core.problems import PayloadTooLarge, problem_response


class RequestSizeLimitMiddleware:
    """Refuse oversize API bodies with 413 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The SOAP door answers its own size limit with a SOAP Fault (yakist.ingest.xroad).
        if request.path.startswith(("/api/", "/trembita/rest/")):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.API_MAX_BODY_BYTES
            if length > limit:
                return problem_response(
                    PayloadTooLarge(
                        _("Тіло запиту має %(length)s байт, дозволено не більше %(limit)s байт.")
                        % {"length": length, "limit": limit}
                    ),
                    request,
                )
        return self.get_response(request)
