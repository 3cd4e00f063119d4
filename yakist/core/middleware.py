"""Cross-cutting HTTP middleware."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from yakist.core.problems import PayloadTooLarge, problem_response
from yakist.core.spreadsheets import too_large

# Room for a multipart body's boundaries, headers and form fields around the file itself.
UPLOAD_ENVELOPE_BYTES = 64 * 1024


class RequestSizeLimitMiddleware:
    """Refuse oversize bodies with 413 from their Content-Length, before anything reads them.

    API bodies are held to API_MAX_BODY_BYTES (a problem+json answer); every other body, in
    practice a staff page's file upload, to UPLOAD_MAX_BYTES (a Ukrainian page). Django reads
    no further than the declared Content-Length, so a body without one is read as empty.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.path.startswith(("/api/", "/trembita/rest/")):
            limit = settings.API_MAX_BODY_BYTES
            if length > limit:
                with translation.override(settings.LANGUAGE_CODE):
                    return problem_response(
                        PayloadTooLarge(
                            _(
                                "Тіло запиту має %(length)s байт, дозволено не більше "
                                "%(limit)s байт."
                            )
                            % {"length": length, "limit": limit}
                        ),
                        request,
                    )
        elif request.path.startswith("/trembita/soap"):
            pass  # the SOAP door answers its own size limit with a SOAP Fault (ingest/xroad.py)
        elif length > settings.UPLOAD_MAX_BYTES + UPLOAD_ENVELOPE_BYTES:
            with translation.override(settings.LANGUAGE_CODE):
                problem = too_large(length)
                return render(request, "413.html", {"detail": problem.detail}, status=413)
        return self.get_response(request)
