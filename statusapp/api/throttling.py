"""The plan's hourly limit as a DRF throttle, and the `X-RateLimit-*` headers."""

import time

from rest_framework.throttling import BaseThrottle

from accounts import ratelimit


class PlanRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        key = request.auth
        if key is None:
            return True
        limit = key.organization.requests_per_hour
        if limit is None:
            return True
        self.result = ratelimit.hit(key.organization_id, limit)
        # Kept on the Django request so the middleware can add headers to any response.
        request._request.ratelimit = self.result
        return self.result is None or self.result.allowed

    def wait(self) -> float:
        return max(1.0, self.result.reset - time.time())


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        result = getattr(request, "ratelimit", None)
        if result is not None:
            response["X-RateLimit-Limit"] = str(result.limit)
            response["X-RateLimit-Remaining"] = str(result.remaining)
            response["X-RateLimit-Reset"] = str(result.reset)
        return response
