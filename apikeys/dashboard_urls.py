"""Dashboard pages for API keys, mounted at /api-keys/."""

from django.urls import path

from . import views

app_name = "apikeys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("new", views.key_create, name="create"),
    path("<str:api_key_id>/revoke", views.key_revoke, name="revoke"),
]
