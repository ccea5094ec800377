"""Attempts counted over a fixed window, for the throttles (failed logins, invalid API keys,
subscriptions, password resets): the window starts at the first attempt and lasts exactly
`window` seconds, whatever the store.

`record` counts one attempt atomically and returns the count including it, so a throttle
can record first and decide on the number it gets back: of many concurrent attempts
exactly the first `limit` see a count within the limit.

Counts are kept where the cache is. With Redis (REDIS_URL), one Lua script increments the
key and sets its expiry on the first attempt. With the database cache (no Redis), one
upsert on `AttemptCounter` does the same, starting a new window when the stored one has
ended: the database cache cannot, as its incr re-sets a key with the default timeout. Any
other cache (the tests' in-process LocMemCache) is used through add and incr, which keep
the window and are atomic within its one process.

If Redis is configured but unreachable nothing is counted and nothing is refused (fail
open, with a warning), as the plan's rate limiter does: a throttle is a brake on guessing,
and without it logins, keys and sign-ups still check what they always check. Failing
closed would lock every user out, and turn every API request with a key this process does
not keep yet into an error, until Redis is back.
"""

import contextlib
import hashlib
import logging
from datetime import timedelta
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import F
from django.utils import timezone
from redis import RedisError

from .models import AttemptCounter
from .redis_client import client

logger = logging.getLogger(__name__)

# KEYS[1] = counter; ARGV[1] = window (seconds). Returns the count including this attempt.
# The TTL check also mends a key that somehow lost its expiry, so no window is endless.
_RECORD_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""

# Undoes one attempt of a window that is still open (a key that expired stays gone).
_RELEASE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""

_TABLE = AttemptCounter._meta.db_table
# One statement: a new key, or a key whose window has ended, starts at 1 with a new window;
# an open window counts one more. Concurrent upserts of one key are serialized by its row.
_RECORD_SQL = f"""
INSERT INTO {_TABLE} ("key", "count", "window_ends") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET
  "count" = CASE WHEN {_TABLE}."window_ends" > %s THEN {_TABLE}."count" + 1 ELSE 1 END,
  "window_ends" = CASE WHEN {_TABLE}."window_ends" > %s THEN {_TABLE}."window_ends" ELSE excluded."window_ends" END
RETURNING "count"
"""  # noqa: S608 (the table name is the model's, not input)

_MAX_KEY = AttemptCounter._meta.get_field("key").max_length


def _stored_key(key: str) -> str:
    # Keys carry usernames and email addresses, which may be long: those are hashed.
    if len(key) <= _MAX_KEY - 20:
        return key
    return f"{key[:40]}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


@memoize
def _scripts(url: str):
    redis = client(url)
    return redis.register_script(_RECORD_SCRIPT), redis.register_script(_RELEASE_SCRIPT)


def _redis_url() -> str | None:
    return settings.CACHES["default"]["LOCATION"] if isinstance(caches["default"], RedisCache) else None


def _in_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def record(key: str, window: int) -> int:
    """Count one attempt; returns the window's count including it (0 when nothing could be counted)."""
    if url := _redis_url():
        try:
            return int(_scripts(url)[0](keys=[cache.make_key(key)], args=[window]))
        except RedisError as exc:
            logger.warning("attempt counter unavailable, not counting: %s", type(exc).__name__)
            return 0
    if not _in_database():
        cache.add(key, 0, window)
        return cache.incr(key)
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_SQL, [_stored_key(key), adapt(now + timedelta(seconds=window)), adapt(now), adapt(now)])
        count = cursor.fetchone()[0]
    if count == 1:  # a new window: a moment to drop the rows whose window has ended
        AttemptCounter.objects.filter(window_ends__lte=now).delete()
    return count


def count(key: str) -> int:
    """The window's count so far, without counting (0 when it cannot be read)."""
    if url := _redis_url():
        try:
            return int(client(url).get(cache.make_key(key)) or 0)
        except RedisError as exc:
            logger.warning("attempt counter unavailable, not refusing: %s", type(exc).__name__)
            return 0
    if not _in_database():
        return cache.get(key) or 0
    counter = AttemptCounter.objects.filter(key=_stored_key(key), window_ends__gt=timezone.now()).first()
    return counter.count if counter is not None else 0


def release(key: str) -> None:
    """Take back one attempt recorded in the open window (one that turned out to be allowed)."""
    if url := _redis_url():
        try:
            _scripts(url)[1](keys=[cache.make_key(key)])
        except RedisError as exc:
            logger.warning("attempt counter unavailable, not released: %s", type(exc).__name__)
        return
    if not _in_database():
        with contextlib.suppress(ValueError):  # the window has ended
            cache.decr(key)
        return
    AttemptCounter.objects.filter(key=_stored_key(key), count__gt=0, window_ends__gt=timezone.now()).update(
        count=F("count") - 1
    )


def forget(key: str) -> None:
    if url := _redis_url():
        try:
            client(url).delete(cache.make_key(key))
        except RedisError as exc:
            logger.warning("attempt counter unavailable, not forgotten: %s", type(exc).__name__)
        return
    if not _in_database():
        cache.delete(key)
        return
    AttemptCounter.objects.filter(key=_stored_key(key)).delete()
