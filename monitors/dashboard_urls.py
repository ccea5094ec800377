"""Dashboard pages for monitors, mounted at /monitors/."""

from django.urls import path

from . import views

app_name = "monitors"

urlpatterns = [
    path("", views.monitor_list, name="list"),
    path("rows", views.monitor_rows, name="rows"),
    path("new", views.monitor_create, name="create"),
    path("bulk", views.monitor_bulk, name="bulk"),
    path("<str:monitor_id>/", views.monitor_detail, name="detail"),
    path("<str:monitor_id>/heartbeats", views.monitor_heartbeats, name="heartbeats"),
    path("<str:monitor_id>/edit", views.monitor_edit, name="edit"),
    path("<str:monitor_id>/clone", views.monitor_clone, name="clone"),
    path("<str:monitor_id>/pause", views.monitor_pause, name="pause"),
    path("<str:monitor_id>/delete", views.monitor_delete, name="delete"),
]
