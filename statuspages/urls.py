"""Public pages under /status/ (no API key): the page, its history, incidents, JSON, feeds
and badge; subscribing by email, confirming, unsubscribing."""

from django.urls import re_path

from . import page_views, public_views

app_name = "statuspages"

SLUG = r"(?P<slug>[-a-zA-Z0-9_]{1,100})"
LINK_CODE = r"(?P<token>[^/]{1,200})"  # checked in the view, so junk gets the same 404 page
JSON_NAMES = (
    r"summary|status|components|incidents|incidents/unresolved|scheduled-maintenances"
    r"|scheduled-maintenances/upcoming|scheduled-maintenances/active"
)

urlpatterns = [
    re_path(rf"^{SLUG}/\Z", page_views.page, name="page"),
    re_path(rf"^{SLUG}/history/?\Z", page_views.history, name="history"),
    re_path(rf"^{SLUG}/incidents/(?P<incident_id>inc_[A-Za-z0-9]{{1,40}})/?\Z", page_views.incident, name="incident"),
    re_path(rf"^{SLUG}/logo\Z", page_views.logo, name="logo"),
    re_path(rf"^{SLUG}/theme\.css\Z", page_views.theme, name="theme"),
    re_path(rf"^{SLUG}/api/v2/(?P<name>{JSON_NAMES})\.json\Z", page_views.api, name="api"),
    re_path(rf"^{SLUG}/feed\.(?P<kind>atom|rss)\Z", page_views.feed, name="feed"),
    re_path(rf"^{SLUG}/badge\.svg\Z", page_views.page_badge, name="badge"),
    re_path(rf"^{SLUG}/subscribe/?\Z", public_views.subscribe, name="subscribe"),
    re_path(rf"^{SLUG}/subscribe/confirm/{LINK_CODE}/?\Z", public_views.confirm, name="subscribe-confirm"),
    re_path(rf"^{SLUG}/unsubscribe/{LINK_CODE}/?\Z", public_views.unsubscribe, name="unsubscribe"),
]
