from django.contrib import admin

from .models import AffectedComponent, Incident, IncidentUpdate


class AffectedComponentInline(admin.TabularInline):
    model = AffectedComponent
    extra = 0
    raw_id_fields = ["monitor"]


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    readonly_fields = ["id", "created_at"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "impact", "organization", "created_at", "resolved_at"]
    list_filter = ["status", "impact", "created_at"]
    search_fields = ["title", "description", "id", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]
    inlines = [AffectedComponentInline, IncidentUpdateInline]


@admin.register(IncidentUpdate)
class IncidentUpdateAdmin(admin.ModelAdmin):
    list_display = ["incident", "status", "notify_subscribers", "created_at"]
    list_filter = ["status", "notify_subscribers"]
    search_fields = ["message", "incident__title", "id"]
    list_select_related = ["incident"]
    readonly_fields = ["id", "created_at"]


@admin.register(AffectedComponent)
class AffectedComponentAdmin(admin.ModelAdmin):
    list_display = ["incident", "monitor", "status"]
    list_filter = ["status"]
    search_fields = ["incident__title", "monitor__name"]
    list_select_related = ["incident", "monitor"]
    raw_id_fields = ["incident", "monitor"]
