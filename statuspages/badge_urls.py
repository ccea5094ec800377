"""A monitor's public badges under /badge/<badge token>/."""

from django.urls import re_path

from . import badge_views

app_name = "badges"

BADGE = r"(?P<token>[^/]{1,64})"  # checked in the view

urlpatterns = [
    re_path(rf"^{BADGE}/(?P<kind>status|uptime|response)\.svg\Z", badge_views.badge, name="svg"),
    re_path(rf"^{BADGE}/shields\.json\Z", badge_views.shields, name="shields"),
]
