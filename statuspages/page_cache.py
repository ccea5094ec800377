"""Rendered public responses (pages, JSON, feeds, badges), kept in Django's cache and in
each process.

An entry serves while its organization keeps the generation it was built under (see
accounts.generation: monitors, incidents, maintenance and the page itself move it) and
for at most FRESH seconds, since the day cells and uptimes move with the clock. When it
goes stale, the first request to notice takes a lock and rebuilds it while the others go
on serving the stale copy; with no copy at all they wait for that one rebuild (up to
WAIT seconds) rather than each building their own. Without Redis there is no generation
and every request builds its response.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

FRESH = 60.0
WAIT = 5.0
LOCK_SECONDS = 30
_MAX_LOCAL = 512


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    etag: str
    built_at: float  # epoch seconds
    generation: str | None

    def fresh(self, generation: str | None, now: float) -> bool:
        return generation is not None and self.generation == generation and now - self.built_at < FRESH


_local: dict[str, Entry] = {}


def _entry(body: bytes, content_type: str, generation: str | None) -> Entry:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Entry(body, content_type, etag, time.time(), generation)


def _keep(key: str, entry: Entry) -> None:
    if len(_local) >= _MAX_LOCAL:
        _local.clear()
    _local[key] = entry


def get(key: str, generation: str | None, build: Callable[[], tuple[bytes, str]]) -> Entry:
    """The response stored under `key`, rebuilt by `build()` -> (body, content type) when stale."""
    if generation is None:
        return _entry(*build(), None)
    now = time.time()
    local = _local.get(key)
    if local is not None and local.fresh(generation, now):
        return local
    shared = cache.get(f"page:{key}")
    if shared is not None and shared.fresh(generation, now):
        _keep(key, shared)
        return shared
    lock, token = f"page-lock:{key}", secrets.token_hex(8)
    if cache.add(lock, token, LOCK_SECONDS):
        try:
            # Another request may have rebuilt it between our read and our lock.
            shared = cache.get(f"page:{key}")
            if shared is not None and shared.fresh(generation, time.time()):
                _keep(key, shared)
                return shared
            entry = _entry(*build(), generation)
            cache.set(f"page:{key}", entry, 86_400)
            _keep(key, entry)
            return entry
        finally:
            if cache.get(lock) == token:
                cache.delete(lock)
    stale = shared or local
    if stale is not None:
        return stale
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        time.sleep(0.02)
        shared = cache.get(f"page:{key}")
        if shared is not None and shared.generation == generation:
            _keep(key, shared)
            return shared
    return _entry(*build(), generation)
