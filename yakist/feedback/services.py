"""Submitting, routing and answering public feedback; recording survey ratings."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakist.accounts.scope import require_write
from yakist.accounts.services import audit_record
from yakist.core.problems import Conflict, Forbidden, Problem
from yakist.core.ratelimit import enforce_rate_limit
from yakist.feedback import selectors
from yakist.feedback.models import ExternalSurvey, FeedbackMessage, SurveyResponse
from yakist.feedback.signals import survey_answers_changed
from yakist.registry.models.reference import Centre, Organisation, Territory

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone
SUBJECT_TYPES = ("centre", "provider", "region", "hromada", "indicator", "publication", "national")


class FeedbackInvalid(Problem):
    slug = "feedback-invalid"
    status = 400
    title = gettext_lazy("Повідомлення не прийнято")
    description = gettext_lazy("Перевірте поля форми зворотного зв'язку.")


def client_hash(ip: str | None) -> str:
    """A keyed, truncated hash of the address: enough to limit abuse, not to identify anyone."""
    if not ip:
        return ""
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, f"client:{ip}".encode(), hashlib.sha256).hexdigest()[:32]


def tracking_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


@dataclass(frozen=True)
class Route:
    centre: Centre | None
    organisation: Organisation | None
    region: Territory | None


def feedback_route(*, subject_type: str, subject_key: str) -> Route:
    """Who must answer: the centre or provider the page is about; its region's administration
    for a region or hromada without a centre; otherwise the ministry."""
    if subject_type == "centre":
        centre = Centre.objects.select_related("parent", "region").filter(code=subject_key).first()
        if centre is not None:
            main = centre.parent or centre
            return Route(centre=main, organisation=None, region=main.region)
    if subject_type == "provider":
        provider = Organisation.objects.filter(code=subject_key).first()
        if provider is not None:
            return Route(centre=None, organisation=provider, region=provider.region)
    if subject_type == "hromada":
        main = Centre.objects.filter(hromada_id=subject_key, kind=Centre.Kind.CENTRE).first()
        if main is not None:
            return Route(centre=main, organisation=None, region=main.region)
        subject_key = (
            Territory.objects.filter(code=subject_key).values_list("region_id", flat=True).first()
            or ""
        )
        subject_type = "region"
    if subject_type == "region":
        administration = Organisation.objects.filter(
            kind=Organisation.Kind.REGIONAL_ADMINISTRATION, region_id=subject_key
        ).first()
        if administration is not None:
            return Route(centre=None, organisation=administration, region=administration.region)
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).first()
    return Route(centre=None, organisation=ministry, region=None)


def parse_subject(value: str) -> tuple[str, str]:
    subject_type, _, key = (value or "national").partition(":")
    if subject_type not in SUBJECT_TYPES:
        return "national", ""
    return subject_type, key[:80]


def response_due(received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(days=settings.FEEDBACK_RESPONSE_DAYS)


@transaction.atomic
def message_submit(
    *, kind: str, subject: str, page: str, text: str, contact: str, ip: str | None
) -> FeedbackMessage:
    hashed = client_hash(ip)
    enforce_rate_limit(
        key=f"feedback:{hashed}", limit=settings.FEEDBACK_RATE_LIMIT, window_seconds=600
    )
    subject_type, subject_key = parse_subject(subject)
    route = feedback_route(subject_type=subject_type, subject_key=subject_key)
    now = timezone.now()
    return FeedbackMessage.objects.create(
        tracking_code=_unique_code(),
        kind=kind,
        subject_type=subject_type,
        subject_key=subject_key,
        page=page[:300],
        text=text,
        contact=contact,
        routed_centre=route.centre,
        routed_organisation=route.organisation,
        routed_region=route.region,
        received_at=now,
        due_at=response_due(now),
        client_hash=hashed,
    )


def _unique_code() -> str:
    while True:
        code = tracking_code_new()
        if not FeedbackMessage.objects.filter(tracking_code=code).exists():
            return code


def _require_answerer(actor, message: FeedbackMessage) -> None:
    """Only a writing role may handle a message, and only one routed to its scope: the answer
    is published as the state's word."""
    scope = require_write(actor)
    if (
        scope is not None
        and selectors.message_get_for(scope, tracking_code=message.tracking_code) is None
    ):
        raise Forbidden(_("Це повідомлення адресовано не вам."))


@transaction.atomic
def message_take(*, message: FeedbackMessage, actor) -> FeedbackMessage:
    _require_answerer(actor, message)
    if message.state == FeedbackMessage.State.RECEIVED:
        message.state = FeedbackMessage.State.IN_PROGRESS
        message.save(update_fields=["state"])
        audit_record(actor=actor, action="feedback_take", obj=message)
    return message


def message_answer(*, message: FeedbackMessage, answer: str, actor) -> FeedbackMessage:
    """Answer publicly; the status page shows the answer."""
    return _message_close(
        message=message,
        state=FeedbackMessage.State.ANSWERED,
        text=answer,
        actor=actor,
        empty=_("Текст відповіді не може бути порожнім."),
    )


def message_reject(*, message: FeedbackMessage, reason: str, actor) -> FeedbackMessage:
    """Reject (spam, not about the data); the author sees the reason."""
    return _message_close(
        message=message,
        state=FeedbackMessage.State.REJECTED,
        text=reason,
        actor=actor,
        empty=_("Вкажіть причину відхилення — її побачить автор."),
    )


@transaction.atomic
def _message_close(
    *, message: FeedbackMessage, state: str, text: str, actor, empty: str
) -> FeedbackMessage:
    _require_answerer(actor, message)
    text = text.strip()
    if not text:
        raise FeedbackInvalid(empty)
    if not message.is_open:
        raise Conflict(_("На це повідомлення вже відповіли або його відхилено."))
    message.state = state
    message.answer = text[:5000]
    message.answered_at = timezone.now()
    message.answered_by = actor
    message.save(update_fields=["state", "answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action=f"feedback_{state}",
        obj=message,
        changes={"overdue": message.answered_at > message.due_at},
    )
    return message


@transaction.atomic
def survey_submit(
    *,
    centre: Centre,
    score: int | None,
    premises: int | None,
    staff: int | None,
    services_range: int | None,
    overall: int | None,
    comment: str,
    source: str,
    ip: str | None,
) -> SurveyResponse:
    hashed = client_hash(ip)
    # One person, one centre, a few ratings an hour: enough for a family, too few to stuff.
    enforce_rate_limit(
        key=f"survey:{hashed}:{centre.pk}", limit=settings.SURVEY_RATE_LIMIT, window_seconds=3600
    )
    main = centre.parent or centre
    response = SurveyResponse.objects.create(
        centre=centre,
        main_centre=main,
        region_id=centre.region_id,
        source=source,
        score=score,
        premises=premises,
        staff=staff,
        services_range=services_range,
        overall=overall,
        comment=comment[:2000],
        client_hash=hashed,
    )
    survey_answers_announce([response])
    return response


@transaction.atomic
def external_survey_import(
    *, survey: ExternalSurvey, rows: list[dict], actor
) -> tuple[int, list[str]]:
    """Import validated rows of an external survey as one batch; returns (count, errors).

    Nothing is imported when any row has an error.
    """
    require_write(actor)
    codes = {row.get("centre_code", "") for row in rows}
    centres = {c.code: c for c in Centre.objects.filter(code__in=codes).select_related("parent")}
    errors, responses = [], []
    for number, row in enumerate(rows, start=2):
        centre = centres.get(row.get("centre_code", ""))
        if centre is None:
            errors.append(
                _("рядок %(row)s: невідомий код центру «%(code)s»")
                % {"row": number, "code": row.get("centre_code", "")}
            )
            continue
        try:
            values = _survey_values(row)
        except ValueError as error:
            errors.append(_("рядок %(row)s: %(error)s") % {"row": number, "error": error})
            continue
        submitted = values.pop("submitted_at") or dt.datetime.combine(
            survey.period_end, dt.time(12), tzinfo=dt.UTC
        )
        responses.append(
            SurveyResponse(
                centre=centre,
                main_centre=centre.parent or centre,
                region_id=centre.region_id,
                source=SurveyResponse.Source.EXTERNAL,
                survey=survey,
                submitted_at=submitted,
                **values,
            )
        )
    if errors:
        transaction.set_rollback(True)
        return 0, errors
    survey.save()
    for response in responses:
        response.survey = survey
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    survey_answers_announce(responses)
    audit_record(
        actor=actor, action="survey_import", obj=survey, changes={"responses": len(responses)}
    )
    return len(responses), []


@transaction.atomic
def external_survey_delete(
    *, survey: ExternalSurvey, actor, request: HttpRequest | None = None
) -> int:
    """Remove an external survey imported by mistake, with its answers; returns how many."""
    require_write(actor)
    responses = list(survey.responses.only("main_centre_id", "submitted_at"))
    audit_record(
        actor=actor,
        action="survey_delete",
        obj=survey,
        changes={"responses": len(responses)},
        request=request,
    )
    survey.delete()
    survey_answers_announce(responses)
    return len(responses)


def survey_answers_announce(responses: list[SurveyResponse]) -> None:
    """Tell later stages (the methodology) which centres and instants the answers touch: one
    message for the whole batch, so a bulk path stays set-based."""
    if responses:
        survey_answers_changed.send(
            sender=SurveyResponse,
            answers=[(r.main_centre_id, r.submitted_at) for r in responses],
        )


def _survey_values(row: dict) -> dict:
    values = {}
    score = row.get("score", "")
    if score != "":
        try:
            values["score"] = int(score)
        except ValueError as error:
            raise ValueError(_("оцінка має бути цілим числом від 0 до 10")) from error
        if not 0 <= values["score"] <= 10:
            raise ValueError(_("оцінка має бути цілим числом від 0 до 10"))
    else:
        values["score"] = None
    for name in ("premises", "staff", "services_range", "overall"):
        raw = row.get(name, "")
        if raw == "":
            values[name] = None
            continue
        if raw not in {"1", "2", "3", "4"}:
            raise ValueError(
                _("поле %(name)s: очікується 1–4 (1 — жахливо, 4 — чудово)") % {"name": name}
            )
        values[name] = int(raw)
    if values["score"] is None and values["overall"] is None:
        raise ValueError(_("потрібна оцінка score або overall"))
    raw_time = row.get("submitted_at", "")
    if raw_time:
        try:
            moment = dt.datetime.fromisoformat(raw_time) if "T" in raw_time else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError(_("submitted_at: потрібні дата й час зі зсувом (RFC 3339)"))
        values["submitted_at"] = moment
    else:
        values["submitted_at"] = None
    return values


def feedback_contacts_purge(*, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Erase the contact of messages answered or rejected more than `older_than_days` ago;
    the message, its answer and its history stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    return (
        FeedbackMessage.objects.filter(answered_at__lt=cutoff)
        .exclude(contact="")
        .update(contact="")
    )


def survey_comments_purge(*, older_than_days: int, now: dt.datetime | None = None) -> int:
    """Erase applicants' private comments older than `older_than_days`; the scores stay."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    return (
        SurveyResponse.objects.filter(submitted_at__lt=cutoff)
        .exclude(comment="")
        .update(comment="")
    )
