from django import forms
from django.contrib import admin
from django.utils import timezone

from . import maintenance as maintenance_services
from .models import AffectedComponent, Incident, IncidentUpdate, Maintenance


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


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = Maintenance
        fields = ["organization", "title", "description", "status", "starts_at", "ends_at", "monitors"]

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "Must be after the start.")
        return cleaned


@admin.register(Maintenance)
class MaintenanceAdmin(admin.ModelAdmin):
    """Saves and deletes keep the monitors' maintenance flags right, as the API does."""

    form = MaintenanceForm
    list_display = ["title", "status", "organization", "starts_at", "ends_at"]
    list_filter = ["status", "starts_at"]
    search_fields = ["title", "description", "id", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["monitors"]

    def save_model(self, request, obj, form, change):
        obj.status = maintenance_services.scheduled_status(obj.status, obj.starts_at, obj.ends_at, timezone.now())
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.monitors.values_list("id", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.monitors.values_list("id", flat=True))
        maintenance_services.refresh_monitor_flags(before | after)

    def delete_model(self, request, obj):
        maintenance_services.maintenance_delete(maintenance=obj)

    def delete_queryset(self, request, queryset):
        for maintenance in queryset:
            maintenance_services.maintenance_delete(maintenance=maintenance)
