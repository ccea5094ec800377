from django.contrib import admin

from .models import CheckResult, Monitor, Region, Rollup, StatusChange


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "status", "organization", "interval", "response_time", "last_check_at"]
    list_filter = ["type", "status", "organization__plan"]
    search_fields = ["name", "url", "host", "id", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "ping_token", "last_check_at", "response_time", "last_error", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin):
    list_display = ["monitor", "scheduled_at", "status", "response_time", "status_code", "error", "in_maintenance"]
    list_filter = ["status", "in_maintenance", "scheduled_at"]
    search_fields = ["monitor__name", "monitor__id", "error"]
    list_select_related = ["monitor"]
    raw_id_fields = ["monitor"]
    date_hierarchy = "scheduled_at"
    show_full_result_count = False  # the table is large; counting it on every page is not


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["monitor", "from_status", "to_status", "created_at", "processed_at", "in_maintenance"]
    list_filter = ["to_status", "in_maintenance", "created_at"]
    search_fields = ["monitor__name", "monitor__id", "error"]
    list_select_related = ["monitor"]
    raw_id_fields = ["monitor"]


@admin.register(Rollup)
class RollupAdmin(admin.ModelAdmin):
    list_display = ["monitor", "period", "bucket", "checks", "up", "degraded", "p95_response_time"]
    list_filter = ["period", "bucket"]
    search_fields = ["monitor__name", "monitor__id"]
    list_select_related = ["monitor"]
    raw_id_fields = ["monitor"]
    show_full_result_count = False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "last_report_at"]
    search_fields = ["name"]
