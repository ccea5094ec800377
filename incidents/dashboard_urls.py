"""Dashboard pages for incidents and maintenance windows, mounted at /incidents/."""

from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new", views.incident_create, name="create"),
    path("maintenance/", views.maintenance_list, name="maintenance-list"),
    path("maintenance/new", views.maintenance_create, name="maintenance-create"),
    path("maintenance/<str:maintenance_id>/edit", views.maintenance_edit, name="maintenance-edit"),
    path("maintenance/<str:maintenance_id>/delete", views.maintenance_delete, name="maintenance-delete"),
    path("for-monitor/<str:monitor_id>", views.monitor_incidents, name="for-monitor"),
    path("<str:incident_id>/", views.incident_detail, name="detail"),
    path("<str:incident_id>/edit", views.incident_edit, name="edit"),
    path("<str:incident_id>/updates", views.incident_post_update, name="post-update"),
    path("<str:incident_id>/resolve", views.incident_resolve, name="resolve"),
]
