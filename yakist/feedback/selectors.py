"""Reading feedback: the public status of a message, staff queues, survey ratings."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yakist.accounts.scope import Scope
from yakist.core.periods import Period
from yakist.feedback.models import ExternalSurvey, FeedbackMessage, SurveyResponse


def message_public(tracking_code: str) -> FeedbackMessage | None:
    """Status page data; the template shows no contact and no client hash."""
    return FeedbackMessage.objects.filter(tracking_code=tracking_code.upper().strip()).first()


def messages_for(
    viewer: Scope, *, state: str | None = None, overdue: bool = False
) -> QuerySet[FeedbackMessage]:
    queryset = viewer.restrict(
        FeedbackMessage.objects.all(),
        centre="routed_centre",
        region="routed_region",
        provider="routed_organisation",
    )
    if state:
        queryset = queryset.filter(state=state)
    if overdue:
        queryset = queryset.filter(
            state__in=[FeedbackMessage.State.RECEIVED, FeedbackMessage.State.IN_PROGRESS],
            due_at__lt=timezone.now(),
        )
    return queryset.select_related("routed_centre", "routed_organisation", "routed_region")


def message_get_for(viewer: Scope, *, tracking_code: str) -> FeedbackMessage | None:
    return messages_for(viewer).filter(tracking_code=tracking_code).first()


def queue_counts(viewer: Scope) -> dict[str, int]:
    now = timezone.now()
    open_states = [FeedbackMessage.State.RECEIVED, FeedbackMessage.State.IN_PROGRESS]
    return messages_for(viewer).aggregate(
        open=Count("pk", filter=Q(state__in=open_states)),
        overdue=Count("pk", filter=Q(state__in=open_states, due_at__lt=now)),
    )


def survey_responses_for(
    viewer: Scope, *, period: Period | None = None
) -> QuerySet[SurveyResponse]:
    """Survey ratings in scope; the methodology engine reads them with a national scope."""
    queryset = viewer.restrict(SurveyResponse.objects.all(), centre="main_centre", region="region")
    if period is not None:
        queryset = queryset.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    return queryset


def external_survey_get(pk: int | str | None) -> ExternalSurvey | None:
    """An external survey recorded in the registry of surveys, or None."""
    return ExternalSurvey.objects.filter(pk=pk or 0).first()


def external_surveys_with_reports() -> QuerySet[ExternalSurvey]:
    """External surveys with their published report, if any (the improvement loop's view)."""
    return ExternalSurvey.objects.select_related("report")
