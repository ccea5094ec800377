from django.urls import path

from . import acknowledge_views

app_name = "alerts"

urlpatterns = [
    path("acknowledge/<str:token>/", acknowledge_views.acknowledge_link, name="acknowledge"),
]
