"""Attempts counted in the cache over a fixed window, for the throttles (failed logins,
invalid API keys, subscriptions): the window starts at the first attempt."""

from django.core.cache import cache


def record(key: str, window: int) -> int:
    """Count one attempt; returns the window's count so far."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, window)
        return 1


def count(key: str) -> int:
    return cache.get(key) or 0


def forget(key: str) -> None:
    cache.delete(key)
