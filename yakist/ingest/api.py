"""`POST /api/v1/events`: signed case events from connected systems (docs/integration.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema

from yakist.core.problems import PayloadTooLarge, UnsupportedMediaType, problem_response
from yakist.ingest import services
from yakist.ingest.schema import EVENT
from yakist.ingest.signatures import Message

router = Router(tags=["Приймання подій"])


class EventErrorOut(Schema):
    type: str = Field(description="Стабільний тип помилки, /problems/<slug>")
    title: str
    field: str
    detail: str


class RejectedOut(Schema):
    index: int = Field(description="Позиція події в пакеті (з нуля)")
    event_id: str | None
    errors: list[EventErrorOut]


class BatchResultOut(Schema):
    accepted: int = Field(description="Нових подій прийнято й збережено")
    duplicates: int = Field(description="Подій, уже прийнятих раніше (повтор — не помилка)")
    rejected: list[RejectedOut]


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None


DESCRIPTION = gettext_lazy(
    "Пакет подій справ від підключеної системи. Запит підписується HTTP Message Signatures "
    '(RFC 9421, alg="ed25519", keyid, created ±300 с, одноразовий nonce; компоненти щонайменше '
    '"@method" "@authority" "@path" "content-digest" "content-type"), тіло — Content-Digest: '
    "sha-256 (RFC 9530). До 1000 подій і 1 МіБ. Відповідь 202, якщо щось прийнято або "
    "повторено; 422, якщо відхилено всі події; 400/401/403/413/415/429 — помилки всього запиту "
    "(application/problem+json). Див. docs/integration.md."
)


def _batch_schema() -> dict:
    """The request body schema for OpenAPI, from the same pydantic schema the intake uses."""
    event = EVENT.json_schema()
    return {
        "type": "object",
        "properties": {
            "events": {"type": "array", "items": event, "minItems": 1, "maxItems": 1000}
        },
        "required": ["events"],
        "additionalProperties": False,
    }


@router.post(
    "/events",
    response={
        202: BatchResultOut,
        400: ProblemOut,
        401: ProblemOut,
        403: ProblemOut,
        413: ProblemOut,
        415: ProblemOut,
        422: ProblemOut,
        429: ProblemOut,
    },
    summary=str(gettext_lazy("Прийняти підписаний пакет подій справ")),
    description=str(DESCRIPTION),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _batch_schema()}},
        }
    },
)
def events_post(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    message = Message(
        method=request.method or "POST", url=request.build_absolute_uri(), headers=request.headers
    )
    outcome = services.event_batch_accept(message=message, body=body)
    return batch_response(outcome, request)


def json_body(request: HttpRequest) -> bytes:
    """The body of a JSON batch, or 415/413 (the signed API and the Trembita REST door)."""
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise UnsupportedMediaType(
            _("Content-Type має бути application/json, отримано «%(type)s».")
            % {"type": content_type or "—"}
        )
    body = request.body
    if len(body) > settings.API_MAX_BODY_BYTES:
        raise PayloadTooLarge(
            _("Тіло запиту має %(length)s байт, дозволено не більше %(limit)s байт.")
            % {"length": len(body), "limit": settings.API_MAX_BODY_BYTES}
        )
    return body


def batch_response(outcome: services.BatchOutcome, request: HttpRequest) -> HttpResponse:
    """202 with the counts, or 422 when nothing was accepted or resent."""
    if outcome.accepted == 0 and outcome.duplicates == 0:
        response: HttpResponse = problem_response(
            services.events_rejection_problem(outcome), request
        )
    else:
        response = JsonResponse(
            outcome.as_response(), status=202, json_dumps_params={"ensure_ascii": False}
        )
    # A receipt the integrator can quote to support: the journal entry of this request.
    response["Yakist-Journal-Id"] = str(outcome.journal_id)
    return response
