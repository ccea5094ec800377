from django.contrib import admin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "organization",
        "permission",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["permission", "revoked_at", "created_at"]
    search_fields = ["name", "key_id", "organization__slug", "id"]
    list_select_related = ["organization"]
    # The hash stays out of the admin entirely; keys are created by the API or createapikey.
    fields = [
        "id",
        "organization",
        "name",
        "permission",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["id", "organization", "prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
