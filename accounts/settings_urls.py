"""Dashboard pages for the organization (settings, members and invitations) and the person's own preferences."""

from django.urls import path

from . import settings_views as views

app_name = "settings"

urlpatterns = [
    path("", views.organization, name="organization"),
    path("preferences", views.preferences_page, name="preferences"),
    path("members", views.members, name="members"),
    path("members/<int:membership_id>/role", views.member_role, name="member-role"),
    path("members/<int:membership_id>/remove", views.member_remove, name="member-remove"),
    path("invitations", views.invitation_create, name="invite"),
    path("invitations/<str:invitation_id>/revoke", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>", views.accept, name="accept"),
]
