"""Invalid API keys counted per client address.

Past MAX_FAILURES in WINDOW seconds, keys sent from that address are refused with a 429
until the window ends, whether right or wrong, so the endpoint cannot be hammered with
guesses (a key's secret has 256 bits anyway). A key this process already checked and
keeps is served without looking: the check costs a cache round trip, and a client with a
working key is not who is guessing.

Unlike the login throttle this one reads before the check and counts failures only: a
valid key then costs one read, not a write and its undo, and concurrent guesses slipping
past the limit together gain nothing against 256 bits.
"""

from accounts import attempts

MAX_FAILURES = 30
WINDOW = 60
REFUSED = "Too many invalid API keys from this address."  # DRF adds when to retry


def _key(address: str) -> str:
    return f"api-key-failures:{address}"


def blocked(address: str) -> bool:
    return attempts.count(_key(address)) >= MAX_FAILURES


def record_failure(address: str) -> None:
    attempts.record(_key(address), WINDOW)
