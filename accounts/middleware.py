"""Each signed-in person's pages in their own time zone (accounts.preferences)."""

import zoneinfo

from django.conf import settings
from django.utils import timezone

from .preferences import DEFAULT_TIME_ZONE, time_zone_of

# Answers that are the same for everyone and cached as such (public status pages, badges,
# the API): they stay in UTC whoever asks, or one person's zone would be served to all.
SHARED_PATHS = ("/api/", "/status/", "/badge/", "/ping/", "/healthz", "/static/")


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = self._zone(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except zoneinfo.ZoneInfoNotFoundError:  # a name a newer tz database dropped
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def _zone(self, request) -> str:
        # Without a session cookie nobody is signed in: no query for the API or a ping.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or request.path_info.startswith(SHARED_PATHS):
            return DEFAULT_TIME_ZONE
        if not request.user.is_authenticated:
            return DEFAULT_TIME_ZONE
        return time_zone_of(request.user.pk)
