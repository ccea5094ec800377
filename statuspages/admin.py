from django.contrib import admin

from .models import StatusPage, StatusPageComponent


class StatusPageComponentInline(admin.TabularInline):
    model = StatusPageComponent
    extra = 0
    raw_id_fields = ["monitor"]


@admin.register(StatusPage)
class StatusPageAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "is_public", "created_at"]
    list_filter = ["is_public"]
    search_fields = ["name", "slug", "id", "organization__slug"]
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
