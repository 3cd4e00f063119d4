from django.contrib import admin

from yakist.accounts.admin import AuditedModelAdmin
from yakist.feedback.models import ExternalSurvey, FeedbackMessage
from yakist.feedback.services import external_survey_delete


@admin.register(FeedbackMessage)
class FeedbackMessageAdmin(AuditedModelAdmin):
    list_display = ["tracking_code", "kind", "state", "received_at", "due_at"]
    list_filter = ["kind", "state"]
    search_fields = ["tracking_code"]
    readonly_fields = ["tracking_code", "client_hash", "received_at"]


@admin.register(ExternalSurvey)
class ExternalSurveyAdmin(AuditedModelAdmin):
    list_display = ["name", "conducted_by", "period_start", "period_end", "imported_at"]

    # Deleting a survey removes its answers: through the service, so the methodology hears of it.
    def delete_model(self, request, obj):
        external_survey_delete(survey=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for survey in queryset:
            external_survey_delete(survey=survey, actor=request.user, request=request)
