"""Invalid API keys counted per client address in the cache.

Past MAX_FAILURES in WINDOW seconds, keys sent from that address are refused with a 429
until the window ends, whether right or wrong, so the endpoint cannot be hammered with
guesses (a key's secret has 256 bits anyway). A key this process already checked and
keeps is served without looking: the check costs a cache round trip, and a client with a
working key is not who is guessing.
"""

from django.core.cache import cache

MAX_FAILURES = 30
WINDOW = 60


def _key(address: str) -> str:
    return f"api-key-failures:{address}"


def blocked(address: str) -> bool:
    return (cache.get(_key(address)) or 0) >= MAX_FAILURES


def record_failure(address: str) -> None:
    key = _key(address)
    cache.add(key, 0, WINDOW)  # the window starts at the first failure
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
