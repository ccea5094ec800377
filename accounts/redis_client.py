"""The process's Redis client for REDIS_URL (rate limits, generations), with short timeouts."""

from functools import cache

import redis


@cache
def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
