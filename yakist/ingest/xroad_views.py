"""The «Трембіта» doors: `POST /trembita/rest/events` and `/trembita/soap` (+ `?wsdl`).

Machine endpoints authenticated by the security server that calls them (yakist.ingest.xroad),
so exempt from CSRF; their rate limit is the intake's own, per connected system.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yakist.core.problems import (
    MethodNotAllowed,
    PayloadTooLarge,
    Problem,
    UnsupportedMediaType,
    problem_response,
)
from yakist.ingest import services, xroad
from yakist.ingest.api import batch_response, json_body

SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


@csrf_exempt
def rest_events(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = problem_response(MethodNotAllowed(_("Дозволено лише POST.")), request)
        response["Allow"] = "POST"
        return response
    try:
        caller = xroad.rest_caller(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            headers=request.headers,
            path=request.path,
        )
        body = json_body(request)
        outcome = services.events_intake(caller=caller, body=body, now=timezone.now())
    except Problem as problem:
        response = problem_response(problem, request)
    else:
        response = batch_response(outcome, request)
    request_id = request.headers.get("X-Road-Id", "")
    if request_id and xroad.XROAD_ID.fullmatch(request_id):
        response["X-Road-Request-Id"] = request_id
    return response


@csrf_exempt
def soap(request: HttpRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD") and "wsdl" in {key.lower() for key in request.GET}:
        return HttpResponse(
            xroad.wsdl(request.build_absolute_uri(request.path)), content_type=SOAP_CONTENT_TYPE
        )
    if request.method != "POST":
        return _fault(
            MethodNotAllowed(_("Надсилайте конверт SOAP методом POST; опис — ?wsdl.")),
            [],
            allow="GET, HEAD, POST",
        )
    header: list = []
    try:
        xroad.peer_check(remote_addr=request.META.get("REMOTE_ADDR", ""), headers=request.headers)
        if (request.content_type or "") != "text/xml":
            raise UnsupportedMediaType(
                _("Content-Type конверта SOAP 1.1 має бути text/xml, отримано «%(type)s».")
                % {"type": request.content_type or "—"}
            )
        body = _soap_body(request)
        parsed = xroad.soap_parse(body)
        header = parsed.header
        caller = xroad.caller_for(
            client=parsed.client,
            xroad_id=parsed.xroad_id,
            headers=xroad.soap_request_headers(parsed, request.path),
        )
        outcome = services.events_intake(caller=caller, body=parsed.body, now=timezone.now())
    except xroad.SoapProblem as error:
        return _fault(error.problem, error.header)
    except Problem as problem:
        return _fault(problem, header)
    response = HttpResponse(xroad.soap_response(parsed, outcome), content_type=SOAP_CONTENT_TYPE)
    response["Yakist-Journal-Id"] = str(outcome.journal_id)
    return response


def _soap_body(request: HttpRequest) -> bytes:
    limit = settings.TREMBITA_SOAP_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= limit:
        body = request.body
        length = len(body)
    if length > limit:
        raise PayloadTooLarge(
            _("Конверт має %(length)s байт, дозволено не більше %(limit)s байт.")
            % {"length": length, "limit": limit}
        )
    return body


def _fault(problem: Problem, header: list, *, allow: str = "") -> HttpResponse:
    # The status of the problem, not SOAP 1.1's blanket 500: a refusal is not a server error,
    # and clients (zeep among them) read the Fault from any status.
    response = HttpResponse(
        xroad.soap_fault(problem, header), status=problem.status, content_type=SOAP_CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response[name] = value
    if allow:
        response["Allow"] = allow
    return response
