from django.contrib import admin

from .models import StatusPage, StatusPageComponent, Subscriber, SubscriberNotification


class StatusPageComponentInline(admin.TabularInline):
    model = StatusPageComponent
    extra = 0
    raw_id_fields = ["monitor"]


@admin.register(StatusPage)
class StatusPageAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "is_public", "custom_domain", "created_at"]
    list_filter = ["is_public", "notify_automatic_incidents"]
    search_fields = ["name", "slug", "id", "organization__slug", "custom_domain"]
    list_select_related = ["organization"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["organization"]
    inlines = [StatusPageComponentInline]


@admin.register(StatusPageComponent)
class StatusPageComponentAdmin(admin.ModelAdmin):
    list_display = ["page", "monitor", "group", "position"]
    search_fields = ["page__name", "monitor__name", "group"]
    list_select_related = ["page", "monitor"]
    raw_id_fields = ["page", "monitor"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "page", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), ("unsubscribed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "id", "page__slug", "page__name"]
    list_select_related = ["page"]
    raw_id_fields = ["page"]
    # `token` (the secret in the subscriber's links) is not editable, so never shown.
    readonly_fields = ["id", "created_at"]


@admin.register(SubscriberNotification)
class SubscriberNotificationAdmin(admin.ModelAdmin):
    list_display = ["update", "subscriber", "created_at", "sent_at", "error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["subscriber__email", "update__id", "update__incident__title", "error"]
    list_select_related = ["update", "subscriber"]
    raw_id_fields = ["update", "subscriber"]
    readonly_fields = ["created_at"]
