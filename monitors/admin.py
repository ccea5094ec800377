from django.contrib import admin

from .models import Monitor


@admin.register(Monitor)
class MonitorAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "status", "organization", "interval", "response_time", "last_check_at"]
    list_filter = ["type", "status", "organization__plan"]
    search_fields = ["name", "url", "host", "id", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "ping_token", "last_check_at", "response_time", "last_error", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]
