"""The HTTP API at /api/v1/: one NinjaAPI, routers from each app, errors as RFC 9457."""

import functools
import logging
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from yakist.core.problems import (
    CATALOGUE,
    PROBLEM_CONTENT_TYPE,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    Problem,
    ServerError,
    ValidationFailed,
    problem_response,
)

logger = logging.getLogger("yakist.api")


class UnicodeJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Ukrainian names stay readable in responses and open data."""

    json_dumps_params = {"ensure_ascii": False}


# The OpenAPI document and its viewer are plain reads: any other method is a 405 problem.
_DOCUMENT_URL_NAMES = {"openapi-json", "openapi-view"}
_READ_METHODS = ("GET", "HEAD")


class ProblemNinjaAPI(NinjaAPI):
    """NinjaAPI whose method errors are RFC 9457 too, and whose GET endpoints answer HEAD.

    django-ninja answers an unsupported method with a bare text/html 405 and treats HEAD as
    unsupported; monitors and clients of a public API expect neither. Its OpenAPI document
    also lists every error an operation can answer, as problem+json (see `document_problems`).
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_problems(schema)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                read_only = pattern.name in _DOCUMENT_URL_NAMES
                pattern.callback = _with_method_problems(pattern.callback, read_only=read_only)
        return urls


# Answers every operation can give whatever its handler does: the middleware refuses oversize
# bodies (413) and throttled clients (429); the handlers below turn bad parameters into 422.
_ALWAYS = (422, 429)
# Operations that read a body: its media type (415), its syntax (400) and its size (413).
_WITH_BODY = (400, 413, 415)
# Operations behind a login or a token, and the CSRF check of session-authenticated writes.
_SECURED = (401, 403)
_WITH_PATH_PARAMETERS = (404,)
_BODY_METHODS = {"post", "put", "patch"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json).",
    "properties": {
        "type": {"type": "string", "description": "Стабільний тип помилки, /problems/<slug>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {}},
        "rejected": {"type": "array", "items": {}},
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}


def document_problems(schema: dict) -> dict:
    """Declare every error answer of every operation, each as application/problem+json.

    Clients generated from the document (and fuzzers that check it) should meet no status code
    or media type the document does not name.
    """
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            statuses = set(_ALWAYS)
            if method in _BODY_METHODS:
                statuses.update(_WITH_BODY)
            if operation.get("security") or method in _BODY_METHODS:
                statuses.update(_SECURED)
            if "{" in path:
                statuses.update(_WITH_PATH_PARAMETERS)
            responses = operation.setdefault("responses", {})
            statuses.update(int(code) for code in responses if str(code)[0] in "45")
            for status in sorted(statuses):
                described = responses.get(str(status), {}).get("description")
                responses[str(status)] = {
                    "description": described or _status_description(status),
                    **problem,
                }
    return schema


def _status_description(status: int) -> str:
    problem_class = next((cls for cls in CATALOGUE.values() if cls.status == status), Problem)
    return str(problem_class.title)


def _with_method_problems(view: Callable, *, read_only: bool) -> Callable:
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if read_only and request.method not in _READ_METHODS:
            return _method_not_allowed(request, _READ_METHODS)
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if request.method == "HEAD" and "GET" in allowed:
            # Answer as GET; the server drops the body and keeps GET's headers (RFC 9110 §9.3.2).
            request.method = "GET"
            return view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        return _method_not_allowed(request, allowed)

    functools.update_wrapper(wrapper, view)
    # Ninja views are CSRF-exempt; the document views too, so a POST gets 405, not a CSRF page.
    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


def _method_not_allowed(request: HttpRequest, allowed) -> HttpResponse:
    methods = sorted(set(allowed) | ({"HEAD"} if "GET" in allowed else set()))
    response = problem_response(
        MethodNotAllowed(
            _("Метод %(method)s не підтримується; дозволено: %(allowed)s.")
            % {"method": request.method, "allowed": ", ".join(methods)}
        ),
        request,
    )
    response["Allow"] = ", ".join(methods)
    return response


api = ProblemNinjaAPI(
    title="Yakist API",
    version="1",
    description=(
        "Відкритий API системи моніторингу якості надання адміністративних послуг. "
        "Помилки — у форматі RFC 9457 (application/problem+json). "
        "Open API of the administrative-services quality monitoring system."
    ),
    urls_namespace="api",
    renderer=UnicodeJSONRenderer(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(Problem)
def handle_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(exc, request)


@api.exception_handler(NinjaValidationError)
def handle_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "location": ".".join(str(part) for part in error.get("loc", ())),
            "message": _translate_pydantic(error),
        }
        for error in exc.errors
    ]
    return problem_response(
        ValidationFailed(_("Параметри запиту не пройшли перевірку."), extra={"errors": errors}),
        request,
    )


@api.exception_handler(AuthenticationError)
def handle_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(NotAuthenticated(), request)


@api.exception_handler(HttpError)
def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    problem_class = next(
        (cls for cls in CATALOGUE.values() if cls.status == exc.status_code), Problem
    )
    return problem_response(problem_class(str(exc)), request)


@api.exception_handler(Http404)
def handle_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(NotFound(), request)


@api.exception_handler(Exception)
def handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s", request.path)
    return problem_response(ServerError(), request)


_PYDANTIC_MESSAGES = {
    "missing": "поле обов'язкове",
    "extra_forbidden": "невідоме поле",
    "int_parsing": "очікується ціле число",
    "int_type": "очікується ціле число",
    "float_parsing": "очікується число",
    "string_type": "очікується рядок",
    "bool_parsing": "очікується true або false",
    "literal_error": "недопустиме значення",
    "enum": "недопустиме значення",
    "uuid_parsing": "очікується UUID",
    "datetime_parsing": "очікується дата й час у форматі RFC 3339",
    "datetime_from_date_parsing": "очікується дата й час у форматі RFC 3339",
    "date_from_datetime_parsing": "очікується дата РРРР-ММ-ДД",
    "date_parsing": "очікується дата РРРР-ММ-ДД",
    "timezone_aware": "час має містити зсув часового поясу",
    "too_long": "забагато елементів",
    "string_too_long": "рядок задовгий",
    "string_too_short": "рядок закороткий",
    "string_pattern_mismatch": "значення не відповідає формату",
    "less_than_equal": "значення завелике",
    "greater_than_equal": "значення замале",
    "json_invalid": "некоректний JSON",
    "model_attributes_type": "очікується об'єкт JSON",
    "dict_type": "очікується об'єкт JSON",
    "list_type": "очікується масив JSON",
}


def _translate_pydantic(error: dict) -> str:
    """Pydantic speaks English; clients of a Ukrainian API get Ukrainian (and stable codes)."""
    message = _PYDANTIC_MESSAGES.get(error.get("type", ""))
    return _(message) if message else str(error.get("msg", ""))


def _register_routers() -> None:
    from yakist.indicators.api import router as indicators_router
    from yakist.ingest.api import router as ingest_router
    from yakist.portal.api import router as portal_router
    from yakist.registry.api import router as registry_router
    from yakist.statmon.api import router as statmon_router

    api.add_router("", registry_router)
    api.add_router("", ingest_router)
    api.add_router("", portal_router)
    api.add_router("", statmon_router)
    api.add_router("", indicators_router)


_register_routers()
