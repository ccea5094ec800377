from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.login_throttle import ThrottledAdminAuthenticationForm
from incidents.overview import overview

from .health import healthz

api_patterns = [
    path("", include("alerts.api.urls")),
    path("", include("monitors.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("statuspages.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("apikeys.api.urls")),
    path("schema", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path(
        "docs",
        # Its init script as a file of its own (?script), not inline: the docs keep a strict CSP.
        SpectacularSwaggerSplitView.as_view(url_name="schema", authentication_classes=[], permission_classes=[]),
        name="docs",
    ),
]

# The admin's login counts failures with the dashboard's: one lockout for both doors.
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("api/", include(api_patterns)),
    path("healthz", healthz, name="healthz"),
    path("ping/", include("monitors.urls")),
    path("status/", include("statuspages.urls")),
    path("badge/", include("statuspages.badge_urls")),
    path("admin/", admin.site.urls),
    path("overview", overview, name="overview"),
    path("monitors/", include("monitors.dashboard_urls")),
    path("incidents/", include("incidents.dashboard_urls")),
    path("pages/", include("statuspages.dashboard_urls")),
    path("webhooks/", include("webhooks.dashboard_urls")),
    path("api-keys/", include("apikeys.dashboard_urls")),
    path("alerts/channels/", include("alerts.dashboard_urls")),
    path("alerts/", include("alerts.urls")),
    path("settings/", include("accounts.settings_urls")),
    path("", include("accounts.urls")),
]

handler400 = "statusapp.api.errors.handler400"
handler404 = "statusapp.api.errors.handler404"
handler500 = "statusapp.api.errors.handler500"
