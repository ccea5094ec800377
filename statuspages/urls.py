"""Public pages under /status/ (no API key): subscribing by email, confirming, unsubscribing."""

from django.urls import re_path

from . import public_views

app_name = "statuspages"

SLUG = r"(?P<slug>[-a-zA-Z0-9_]{1,100})"
LINK_CODE = r"(?P<token>[^/]{1,200})"  # checked in the view, so junk gets the same 404 page

urlpatterns = [
    re_path(rf"^{SLUG}/subscribe/?\Z", public_views.subscribe, name="subscribe"),
    re_path(rf"^{SLUG}/subscribe/confirm/{LINK_CODE}/?\Z", public_views.confirm, name="subscribe-confirm"),
    re_path(rf"^{SLUG}/unsubscribe/{LINK_CODE}/?\Z", public_views.unsubscribe, name="unsubscribe"),
]
