from django.contrib import admin

from yakist.accounts.admin import AuditedModelAdmin
from yakist.feedback.models import ExternalSurvey, FeedbackMessage


@admin.register(FeedbackMessage)
class FeedbackMessageAdmin(AuditedModelAdmin):
    list_display = ["tracking_code", "kind", "state", "received_at", "due_at"]
    list_filter = ["kind", "state"]
    search_fields = ["tracking_code"]
    readonly_fields = ["tracking_code", "client_hash", "received_at"]


@admin.register(ExternalSurvey)
class ExternalSurveyAdmin(AuditedModelAdmin):
    list_display = ["name", "conducted_by", "period_start", "period_end", "imported_at"]
