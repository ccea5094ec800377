"""Dashboard pages for webhook endpoints and their deliveries, mounted at /webhooks/."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new", views.endpoint_create, name="create"),
    path("<str:endpoint_id>/", views.endpoint_detail, name="detail"),
    path("<str:endpoint_id>/edit", views.endpoint_edit, name="edit"),
    path("<str:endpoint_id>/delete", views.endpoint_delete, name="delete"),
    path("<str:endpoint_id>/rotate-secret", views.endpoint_rotate_secret, name="rotate-secret"),
    path("<str:endpoint_id>/test", views.endpoint_send_test, name="test"),
    path("<str:endpoint_id>/deliveries", views.delivery_list, name="deliveries"),
    path("<str:endpoint_id>/deliveries/rows", views.delivery_rows, name="delivery-rows"),
    path("<str:endpoint_id>/deliveries/<str:delivery_id>", views.delivery_detail, name="delivery"),
    path("<str:endpoint_id>/deliveries/<str:delivery_id>/redeliver", views.delivery_redeliver, name="redeliver"),
]
