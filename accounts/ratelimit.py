"""Per-organization hourly request limits, counted atomically across processes.

With Redis, one Lua script checks and increments the window's counter in one step.
Without it, a conditional UPDATE on `RequestCounter` does the same in the database.
If Redis is configured but unreachable, requests are let through (fail open) and a
warning is logged: monitoring APIs should not go dark because a cache did.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from .models import RequestCounter
from .redis_client import client

logger = logging.getLogger(__name__)


def window_start(now: float) -> int:
    """The start (epoch seconds) of the counting window `now` falls in: an hour, unless
    STATUSAPP_RATELIMIT_WINDOW makes it shorter (the SDKs' tests wait out a 429 that way)."""
    return int(now) // settings.RATELIMIT_WINDOW * settings.RATELIMIT_WINDOW


# KEYS[1] = counter; ARGV[1] = limit; ARGV[2] = expiry (epoch seconds).
# Returns {allowed (0/1), count after this request}. Refused requests are not counted.
_HIT_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= tonumber(ARGV[1]) then
  return {0, current}
end
current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('EXPIREAT', KEYS[1], ARGV[2])
end
return {1, current}
"""


@dataclass(frozen=True)
class RateLimitResult:
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends
    allowed: bool


@cache
def _redis_script(url: str):
    return client(url).register_script(_HIT_SCRIPT)


def _hit_redis(key: str, limit: int, reset: int) -> tuple[bool, int]:
    allowed, count = _redis_script(settings.REDIS_URL)(keys=[key], args=[limit, reset + 60])
    return bool(allowed), int(count)


# Increments and reads back in one statement, so concurrent requests each see their
# own count (PostgreSQL, and SQLite from 3.35).
_INCREMENT_SQL = """
UPDATE accounts_requestcounter SET count = count + 1
WHERE organization_id = %s AND window_start = %s AND count < %s
RETURNING count
"""


def _hit_database(organization_id: str, window_start: datetime, limit: int) -> tuple[bool, int]:
    counters = RequestCounter.objects.filter(organization_id=organization_id, window_start=window_start)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(
                _INCREMENT_SQL, [organization_id, connection.ops.adapt_datetimefield_value(window_start), limit]
            )
            row = cursor.fetchone()
        if row is not None:
            return True, row[0]
        try:
            with transaction.atomic():
                RequestCounter.objects.create(organization_id=organization_id, window_start=window_start, count=1)
            RequestCounter.objects.filter(organization_id=organization_id, window_start__lt=window_start).delete()
            return True, 1
        except IntegrityError:
            current = counters.values_list("count", flat=True).first()
            if current is not None and current >= limit:
                return False, current
    return False, limit


def window_key(organization_id: str, window_start: int) -> str:
    """The Redis counter of one organization's hour starting at `window_start` (epoch seconds)."""
    return f"{settings.RATELIMIT_KEY_PREFIX}:{organization_id}:{window_start}"


def hit(organization_id: str, limit: int) -> RateLimitResult | None:
    """Count one request against the organization's hourly limit.

    Returns None when the limiter could not be reached (the request is allowed).
    """
    start = window_start(time.time())
    reset = start + settings.RATELIMIT_WINDOW
    if settings.REDIS_URL:
        key = window_key(organization_id, start)
        try:
            allowed, count = _hit_redis(key, limit, reset)
        except redis.RedisError as exc:
            logger.warning("rate limiter unavailable, allowing request: %s", type(exc).__name__)
            return None
    else:
        allowed, count = _hit_database(organization_id, datetime.fromtimestamp(start, UTC), limit)
    return RateLimitResult(limit=limit, remaining=max(0, limit - count), reset=reset, allowed=allowed)
