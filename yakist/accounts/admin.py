"""Admin for people and the audit trail; the audited base class other apps' admins use."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelChoiceField
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakist.accounts import twofactor
from yakist.accounts.models import AuditEntry, StaffProfile
from yakist.accounts.services import audit_record


class AuditedInlinesMixin:
    """Rows changed in inlines (a service's legal terms, a system's keys, a staff profile's
    role and scope) are audited like the main object."""

    def save_formset(self, request, form, formset, change):
        before = {
            f.instance.pk: {name: _initial_value(f, name) for name in f.changed_data}
            for f in formset.initial_forms
            if f.instance.pk is not None and f.has_changed()
        }
        deleted = [
            (f.instance._meta.label_lower, str(f.instance.pk), str(f.instance)[:500])
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(actor=request.user, action="create", obj=obj, request=request)
        for obj, names in formset.changed_objects:
            old = before.get(obj.pk, {})
            audit_record(
                actor=request.user,
                action="update",
                obj=obj,
                request=request,
                changes={
                    name: [_audit_value(old.get(name)), _audit_value(getattr(obj, name, None))]
                    for name in names
                },
            )
        for object_type, object_id, summary in deleted:
            audit_record(
                actor=request.user,
                action="delete",
                object_type=object_type,
                object_id=object_id,
                summary=summary,
                request=request,
            )


class AuditedModelAdmin(AuditedInlinesMixin, admin.ModelAdmin):
    """Every change made through the admin leaves an audit entry with the changed fields."""

    def save_model(self, request, obj, form, change):
        before = {}
        if change and form.changed_data:
            before = {name: _initial_value(form, name) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="update" if change else "create",
            obj=obj,
            request=request,
            changes={
                name: [_audit_value(before.get(name)), _audit_value(form.cleaned_data.get(name))]
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


def _initial_value(form, name: str):
    """A field's value before the change; related objects as objects, not bare keys."""
    value = form.initial.get(name)
    field = form.fields.get(name)
    if isinstance(field, ModelChoiceField) and value not in (None, ""):
        try:
            return field.to_python(value)
        except ValidationError:  # the related object is gone; keep the key
            return value
    return value


def _audit_value(value):
    """Readable, JSON-safe: many-to-many values become lists of names."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, QuerySet)):
        return sorted(str(item) for item in value)
    return str(value)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["region", "centre", "organisation", "system"]


admin.site.unregister(User)


@admin.register(User)
class YakistUserAdmin(AuditedInlinesMixin, UserAdmin):
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


# Second-factor devices: an administrator may only remove one (a lost phone), never add one or
# read its secret; the removal is audited and mailed to the owner
# (twofactor.device_remove_by_admin).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name", "confirmed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        twofactor.device_remove_by_admin(request=request, device=obj)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            twofactor.device_remove_by_admin(request=request, device=device)
