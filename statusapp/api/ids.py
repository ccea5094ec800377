"""Public ids: a type prefix and a random, URL-safe, never sequential tail (`mon_…`)."""

import secrets
import string

from django.db import models
from django.utils.deconstruct import deconstructible

_ALPHABET = string.ascii_lowercase + string.digits
_TAIL_LENGTH = 20  # 36**20 ≈ 2**103

# What a public id in a URL may look like; anything else is a 404 before any query.
ID_URL_PATTERN = r"[A-Za-z0-9_]{1,64}"


_SPACE = len(_ALPHABET) ** _TAIL_LENGTH


def new_id(prefix: str) -> str:
    # 128 random bits reduced to 20 base-36 digits (the bias is below 2**-24): one call
    # into the OS's generator instead of twenty secrets.choice calls, which cost
    # 0.2 ms per id and showed up when thousands of events were written at once.
    number = int.from_bytes(secrets.token_bytes(16)) % _SPACE
    digits = []
    for _ in range(_TAIL_LENGTH):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return prefix + "_" + "".join(digits)


@deconstructible
class PrefixedId:
    """Callable default for a PublicIdField (a class so migrations can serialize it)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        return new_id(self.prefix)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrefixedId) and other.prefix == self.prefix


class PublicIdField(models.CharField):
    def __init__(self, prefix: str, *args, **kwargs) -> None:
        self.prefix = prefix
        kwargs.update(max_length=32, primary_key=True, editable=False, default=PrefixedId(prefix))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "primary_key", "editable", "default"):
            kwargs.pop(key, None)
        return name, path, [self.prefix, *args], kwargs
