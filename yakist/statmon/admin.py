"""Admin: look-up views for support staff. State changes go through the services (pages and
commands), so the admin is read-only except campaign deadlines."""

from django.contrib import admin

from yakist.accounts.admin import AuditedModelAdmin
from yakist.statmon.models import ApiToken, Campaign, FormVersion, Reminder, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "effective_from", "effective_to", "file_name", "loaded_at")


@admin.register(Campaign)
class CampaignAdmin(AuditedModelAdmin):
    list_display = ("period", "form", "deadline", "status")
    list_filter = ("status",)
    fields = ("period", "form", "deadline", "status", "opened_at", "closed_at")
    readonly_fields = ("period", "form", "status", "opened_at", "closed_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "centre", "status", "revision", "submitted_at")
    list_filter = ("campaign", "status")
    search_fields = ("centre__code", "centre__name")
    list_select_related = ("campaign", "centre")
    exclude = ("values", "invalid", "comments")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("report", "rule", "sent_at", "subject")
    list_filter = ("rule",)
    list_select_related = ("report__campaign", "report__centre")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
