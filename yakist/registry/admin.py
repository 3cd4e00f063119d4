from django.contrib import admin

from yakist.accounts.admin import AuditedModelAdmin
from yakist.registry.models import (
    Centre,
    ConnectedSystem,
    Organisation,
    Service,
    ServiceTerm,
    SystemKey,
    Territory,
    XRoadClient,
)


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "region"]
    list_filter = ["category"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "category", "parent", "region", "hromada"]

    def has_add_permission(self, request):
        return False  # the codifier is imported, never typed in


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "region", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "territory", "region"]


@admin.register(Centre)
class CentreAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "region", "status"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "founder", "territory", "hromada", "region"]


class ServiceTermInline(admin.TabularInline):
    model = ServiceTerm
    extra = 0


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "online_available", "is_paid", "synthetic"]
    list_filter = ["online_available", "is_paid", "synthetic", "category"]
    search_fields = ["code", "name"]
    filter_horizontal = ["providers"]
    inlines = [ServiceTermInline]


class SystemKeyInline(admin.TabularInline):
    model = SystemKey
    extra = 0
    fields = ["key_id", "fingerprint", "valid_from", "valid_until", "revoked_at", "revoked_reason"]
    readonly_fields = ["key_id", "fingerprint"]


class XRoadClientInline(admin.TabularInline):
    model = XRoadClient
    extra = 0
    fields = ["identifier", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(ConnectedSystem)
class ConnectedSystemAdmin(AuditedModelAdmin):
    list_display = ["name", "status", "scope_all", "agreement_data_version"]
    list_filter = ["status"]
    search_fields = ["name"]
    autocomplete_fields = ["operator", "scope_centres", "scope_providers"]
    inlines = [SystemKeyInline, XRoadClientInline]
