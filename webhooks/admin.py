from django.contrib import admin

from .models import WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "enabled", "created_at"]
    list_filter = ["enabled", "created_at"]
    search_fields = ["url", "description", "id", "organization__slug"]
    list_select_related = ["organization"]
    # The signing secret is never shown here.
    exclude = ["secret"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]
