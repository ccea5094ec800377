"""Dashboard pages for status pages, mounted at /pages/."""

from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.page_list, name="list"),
    path("new", views.page_create, name="create"),
    path("<str:page_id>/edit", views.page_edit, name="edit"),
    path("<str:page_id>/delete", views.page_delete, name="delete"),
]
