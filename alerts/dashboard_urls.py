"""Dashboard pages for alert channels and their delivery logs, mounted at /alerts/channels/;
and the Acknowledge button of a DOWN monitor's page."""

from django.urls import path

from . import views

app_name = "alert_channels"

urlpatterns = [
    path("", views.channel_list, name="list"),
    path("new", views.channel_pick_type, name="pick-type"),
    path("new/<str:channel_type>", views.channel_create, name="create"),
    path("acknowledge/<str:monitor_id>", views.acknowledge_monitor, name="acknowledge_monitor"),
    path("<str:channel_id>/", views.channel_detail, name="detail"),
    path("<str:channel_id>/edit", views.channel_edit, name="edit"),
    path("<str:channel_id>/delete", views.channel_delete, name="delete"),
    path("<str:channel_id>/test", views.channel_send_test, name="test"),
    path("<str:channel_id>/log", views.channel_log, name="log"),
]
