"""Cross-cutting HTTP middleware."""

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
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


class UniformCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the common header built once per process.

    The policy of a response that carries no policy of its own (the csp decorators) and whose
    page used no nonce is the settings' policy, the same every time; building it anew took
    about a sixth of a cached public page's time. Other responses go the library's way."""

    OWN_POLICY = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt",
        "_csp_exempt_ro",
    )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        uniform = getattr(request, "_csp_nonce", None) is None and not any(
            hasattr(response, name) for name in self.OWN_POLICY
        )
        if not uniform or (settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        for header, value in self._uniform_headers(request.path_info):
            if header not in response:
                response[header] = value
        # As the library does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _uniform_headers(self, path: str) -> list[tuple[str, str]]:
        cached = getattr(self, "_uniform", None)
        if cached is None:
            cached = self._uniform = [
                (header, build_policy(report_only=report_only), setting)
                for header, report_only, setting in (
                    (HEADER, False, "CONTENT_SECURITY_POLICY"),
                    (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
                )
            ]
        headers = []
        for header, value, setting in cached:
            excluded = tuple(
                (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            )
            if value and not path.startswith(excluded):
                headers.append((header, value))
        return headers
