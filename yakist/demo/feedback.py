"""Demo step: a year of applicants' survey ratings and some public feedback messages."""

import datetime as dt

from django.utils import timezone

from yakist.core.db import instances_insert
from yakist.core.periods import KYIV
from yakist.demo.runner import DemoContext
from yakist.feedback.models import FeedbackMessage, SurveyResponse
from yakist.feedback.services import (
    feedback_route,
    response_due,
    survey_answers_announce,
    tracking_code_new,
)
from yakist.registry.enums import Status
from yakist.registry.models.reference import Centre

MESSAGES = [
    ("data_error", "Графік роботи на сторінці не збігається з табличкою на дверях центру."),
    ("data_error", "Кількість наданих послуг за квартал виглядає завищеною."),
    ("suggestion", "Просимо додати більше місць для сидіння в залі очікування."),
    ("suggestion", "Було б зручно записуватися в електронну чергу через сайт громади."),
    ("data_error", "Адреса центру вказана стара: центр переїхав."),
]


def surveys(ctx: DemoContext) -> str:
    rng = ctx.rng("surveys")
    now = timezone.now()
    start = now - dt.timedelta(days=365)
    centres = list(
        Centre.objects.filter(status=Status.ACTIVE)
        .select_related("parent")
        .only("pk", "code", "parent_id", "region_id", "population_served", "kind")
    )
    responses = []
    for centre in ctx.track(centres, total=len(centres), description="Опитування"):
        main_code = centre.parent.code if centre.parent_id else centre.code
        quality = ctx.centre_quality(main_code)
        volume = max(1, int(ctx.scale * (centre.population_served or 3000) / 900))
        for _ in range(rng.randint(volume // 2, volume)):
            score = _score(rng, quality)
            responses.append(
                SurveyResponse(
                    centre_id=centre.pk,
                    main_centre_id=centre.parent_id or centre.pk,
                    region_id=centre.region_id,
                    source=rng.choices(["qr", "sms", "web", "call"], [55, 25, 12, 8])[0],
                    score=score,
                    premises=_aspect(rng, quality),
                    staff=_aspect(rng, quality),
                    services_range=_aspect(rng, quality),
                    overall=_aspect(rng, quality),
                    submitted_at=_working_hours(
                        rng, start + dt.timedelta(seconds=rng.randint(0, 365 * 86400))
                    ),
                )
            )
    instances_insert(SurveyResponse, responses)
    survey_answers_announce(responses)
    return f"Опитування: {len(responses)} оцінок заявників"


def _aspect(rng, quality: float) -> int:
    return min(4, max(1, round(1 + 3 * quality + rng.gauss(0, 0.6))))


def _score(rng, quality: float) -> int:
    """0–10 'would recommend': most give 9–10 to a good centre (Mintsyfra: 93 % satisfied)."""
    roll = rng.random()
    if roll < 0.55 + 0.4 * quality:
        return rng.choice([9, 10, 10])
    if roll < 0.80 + 0.17 * quality:
        return rng.choice([7, 8])
    return rng.randint(0, 6)


def _working_hours(rng, moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(KYIV)
    return local.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)).astimezone(dt.UTC)


def messages(ctx: DemoContext) -> str:
    rng = ctx.rng("feedback-messages")
    now = timezone.now()
    centres = list(
        Centre.objects.filter(kind=Centre.Kind.CENTRE, status=Status.ACTIVE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    created = []
    for _ in range(max(5, int(60 * ctx.scale))):
        code = rng.choice(centres)
        kind, text = rng.choice(MESSAGES)
        route = feedback_route(subject_type="centre", subject_key=code)
        received = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
        message = FeedbackMessage(
            tracking_code=tracking_code_new(),
            kind=kind,
            subject_type="centre",
            subject_key=code,
            page=f"/centres/{code}",
            text=text,
            routed_centre=route.centre,
            routed_organisation=route.organisation,
            routed_region=route.region,
            received_at=received,
            due_at=response_due(received),
        )
        if rng.random() < 0.6 and received < now - dt.timedelta(days=3):
            message.state = FeedbackMessage.State.ANSWERED
            message.answer = "Дякуємо! Інформацію перевірено та виправлено."
            answered = received + dt.timedelta(days=rng.randint(1, 14))
            message.answered_at = min(answered, now - dt.timedelta(hours=1))  # never ahead
        created.append(message)
    FeedbackMessage.objects.bulk_create(created)
    return f"Звернення громадян: {len(created)}"
