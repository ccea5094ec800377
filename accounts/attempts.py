"""Attempts counted in the cache over a fixed window, for the throttles (failed logins,
invalid API keys, subscriptions): the window starts at the first attempt.

If the cache (Redis) is unreachable nothing is counted and nothing is refused (fail open,
with a warning), as the plan's rate limiter does: a throttle is a brake on guessing, and
without it logins, keys and sign-ups still check what they always check. Failing closed
would lock every user out, and turn every API request with a key this process does not
keep yet into an error, until Redis is back.
"""

import logging

from django.core.cache import cache
from redis import RedisError

logger = logging.getLogger(__name__)


def record(key: str, window: int) -> int:
    """Count one attempt; returns the window's count so far (0 when nothing could be counted)."""
    try:
        cache.add(key, 0, window)
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, window)
            return 1
    except RedisError as exc:
        logger.warning("attempt counter unavailable, not counting: %s", type(exc).__name__)
        return 0


def count(key: str) -> int:
    try:
        return cache.get(key) or 0
    except RedisError as exc:
        logger.warning("attempt counter unavailable, not refusing: %s", type(exc).__name__)
        return 0


def forget(key: str) -> None:
    try:
        cache.delete(key)
    except RedisError as exc:
        logger.warning("attempt counter unavailable, not forgotten: %s", type(exc).__name__)
