"""Admin for people and the audit trail; the audited base class other apps' admins use."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from yakist.accounts.models import AuditEntry, StaffProfile
from yakist.accounts.services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made through the admin leaves an audit entry with the changed fields."""

    def save_model(self, request, obj, form, change):
        before = {}
        if change and form.changed_data:
            before = {name: form.initial.get(name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="update" if change else "create",
            obj=obj,
            request=request,
            changes={
                name: [str(before.get(name)), str(form.cleaned_data.get(name))]
                for name in form.changed_data
            },
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="delete", obj=obj, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="delete", obj=obj, request=request)
        super().delete_queryset(request, queryset)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["region", "centre", "organisation", "system"]


admin.site.unregister(User)


@admin.register(User)
class YakistUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="user_update" if change else "user_create",
            obj=obj,
            request=request,
            changes={"fields": list(form.changed_data)},
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "summary", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_id", "summary"]

    # The trail is append-only, even for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
