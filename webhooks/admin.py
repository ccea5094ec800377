from django.contrib import admin

from .models import Delivery, DeliveryAttempt, Event, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "enabled", "created_at"]
    list_filter = ["enabled", "created_at"]
    search_fields = ["url", "description", "id", "organization__slug"]
    list_select_related = ["organization"]
    # The signing secret is never shown here.
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "duration_ms", "error", "response_head"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "organization", "created_at"]
    list_filter = ["type", "created_at"]
    search_fields = ["id", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "organization", "type", "body", "created_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempts", "next_attempt_at", "finished_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["id", "event__id", "endpoint__url"]
    list_select_related = ["event", "endpoint"]
    readonly_fields = ["id", "event", "endpoint", "attempts", "lease_token", "lease_until", "created_at", "finished_at"]
    inlines = [DeliveryAttemptInline]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["delivery", "attempted_at", "status_code", "duration_ms", "error"]
    list_filter = ["status_code", "attempted_at"]
    search_fields = ["delivery__id"]
    readonly_fields = ["delivery", "attempted_at", "status_code", "duration_ms", "error", "response_head"]
