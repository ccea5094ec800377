"""An organization's generation: a token in Redis that changes whenever something an API
request reads about the organization changes (its plan, its API keys, its monitors).

A process keeps what it read (an API key, a page of monitors) beside the generation it
was read under, and reuses it while the generation is the same instead of asking the
database again. A bump writes a fresh random token twice: at once, for readers in the
same transaction, and after the commit, for a reader that read the old rows between the
first bump and the commit. Without Redis, or while it cannot be reached, there is no
generation and nothing is reused; what was kept is also dropped after MAX_AGE seconds,
in case Redis was down when a bump was due.
"""

import logging
import secrets
import time
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .redis_client import client

logger = logging.getLogger(__name__)

MAX_AGE = 60.0
_TTL = 86_400  # a deleted organization's token goes away; a live one is recreated on read


def _key(organization_id: str) -> str:
    return f"{settings.GENERATION_KEY_PREFIX}:{organization_id}"


_seen: dict[str, tuple[str, float]] = {}  # organization id -> (generation, when read)


def current(organization_id: str, *, within: float = 0.0) -> str | None:
    """The organization's generation, created if Redis has none; None without Redis.

    `within`: a generation this process read or replaced less than that many seconds ago
    will do (public pages, where a second's delay is nothing and a round trip per request
    is a fifth of the cost of serving one).
    """
    if not settings.REDIS_URL:
        return None
    if within:
        seen = _seen.get(organization_id)
        if seen is not None and time.monotonic() - seen[1] < within:
            return seen[0]
    redis_client = client(settings.REDIS_URL)
    key = _key(organization_id)
    try:
        token = redis_client.get(key)
        if token is None:
            redis_client.set(key, secrets.token_hex(8), nx=True, ex=_TTL)
            token = redis_client.get(key)
    except redis.RedisError as exc:
        logger.warning("generation unavailable, reading from the database: %s", type(exc).__name__)
        return None
    if token is None:
        return None
    _seen[organization_id] = (token.decode(), time.monotonic())
    return token.decode()


def _renew(organization_ids: set[str]) -> None:
    try:
        with client(settings.REDIS_URL).pipeline(transaction=False) as pipe:
            for organization_id in organization_ids:
                pipe.set(_key(organization_id), secrets.token_hex(8), ex=_TTL)
            pipe.execute()
    except redis.RedisError as exc:
        logger.warning("could not renew %d generations: %s", len(organization_ids), type(exc).__name__)


def bump(organization_ids: Iterable[str]) -> None:
    """Something these organizations' API requests read has changed (or is changing)."""
    ids = set(organization_ids)
    if not ids or not settings.REDIS_URL:
        return
    for organization_id in ids:
        _seen.pop(organization_id, None)
    _renew(ids)
    transaction.on_commit(lambda: _renew(ids))


def track(model, organization_of=lambda instance: instance.organization_id) -> None:
    """Bump the organization's generation whenever an instance of `model` is saved or deleted
    through the ORM. Writes that bypass it (bulk SQL in the check engine, pings) bump themselves."""

    def changed(sender, instance, **kwargs):
        bump([organization_of(instance)])

    uid = f"generation:{model._meta.label}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
