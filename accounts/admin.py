from django.contrib import admin

from .models import AttemptCounter, Invitation, Membership, Organization, Profile, RequestCounter


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "custom_requests_per_hour", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name", "slug", "id"]
    readonly_fields = ["id", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organization__name", "organization__slug"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone"]
    search_fields = ["user__username", "user__email", "time_zone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(RequestCounter)
class RequestCounterAdmin(admin.ModelAdmin):
    list_display = ["organization", "window_start", "count"]
    list_filter = ["window_start"]
    search_fields = ["organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["organization", "window_start", "count"]


@admin.register(AttemptCounter)
class AttemptCounterAdmin(admin.ModelAdmin):
    """Throttle counts kept in the database when no Redis is configured; deleting one lifts
    that throttle (a locked-out username, say) at once."""

    list_display = ["key", "count", "window_ends"]
    search_fields = ["key"]
    readonly_fields = ["key", "count", "window_ends"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are created from the dashboard (the link is shown there once); here they
    can be looked at and deleted (which revokes the link)."""

    list_display = ["organization", "role", "email", "created_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["organization__slug", "email", "id"]
    list_select_related = ["organization", "created_by"]
    readonly_fields = [
        *("id", "organization", "role", "email", "created_by", "created_at"),
        *("expires_at", "accepted_at", "accepted_by"),
    ]

    def has_add_permission(self, request) -> bool:
        return False
