"""Read-only view of the rate limiter's counter: how many API requests an organization
made in the current hourly window. It reads the same store `ratelimit.hit` writes, the
Redis key when REDIS_URL is set, else the window's `RequestCounter` row, and never counts."""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from django.conf import settings

from .models import RequestCounter
from .ratelimit import window_key, window_start
from .redis_client import client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    count: int | None  # None when the counter could not be read
    window_start: datetime
    reset: datetime  # when the window ends and the count starts again from zero


def usage(organization_id: str) -> int | None:
    """Requests counted for the organization in the current hour; None if Redis is unreachable."""
    return current(organization_id).count


def current(organization_id: str) -> Usage:
    start = window_start(time.time())
    if settings.REDIS_URL:
        # The key ratelimit.hit builds for this window.
        key = window_key(organization_id, start)
        try:
            value = client(settings.REDIS_URL).get(key)
        except redis.RedisError as exc:
            logger.warning("rate-limit counter unavailable: %s", type(exc).__name__)
            count = None
        else:
            count = int(value or 0)
    else:
        count = (
            RequestCounter.objects.filter(
                organization_id=organization_id, window_start=datetime.fromtimestamp(start, UTC)
            )
            .values_list("count", flat=True)
            .first()
            or 0
        )
    return Usage(
        count=count,
        window_start=datetime.fromtimestamp(start, UTC),
        reset=datetime.fromtimestamp(start + settings.RATELIMIT_WINDOW, UTC),
    )
