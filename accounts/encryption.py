"""Secrets StatusApp must send on (webhook signing secrets, alert channel tokens) are
stored encrypted with a key from the environment, STATUSAPP_ENCRYPTION_KEY, so a copy
of the database alone does not give them away.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`); its key is derived from the
setting with HKDF, so the setting may be any long random string, like SECRET_KEY.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

MIN_KEY_LENGTH = 32


# What the API shows in place of a stored secret (alert channel tokens, database passwords);
# sent back unchanged, it keeps the stored one.
MASK = "••••"
MASKED_VALUE = "This is a masked value: send the whole new value, or the mask shown to keep the old one."


class DecryptionError(Exception):
    """A stored secret that the current key cannot open: the key was changed or lost."""


@cache
def _fernet(key: str) -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"statusapp secrets at rest").derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(text: str) -> str:
    """An opaque token; the same text encrypts differently every time."""
    return _fernet(settings.STATUSAPP_ENCRYPTION_KEY).encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.STATUSAPP_ENCRYPTION_KEY).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("a stored secret cannot be decrypted: was STATUSAPP_ENCRYPTION_KEY changed?") from None


class Undecryptable:
    """What an EncryptedTextField(allow_undecryptable=True) reads when the current key cannot open
    the stored value. Truthy, as a secret is set; saved again, it writes back the ciphertext it was
    read from, which the old key, put back, still opens."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<undecryptable secret>"


class EncryptedTextField(models.TextField):
    """Text encrypted in the database, in the clear in Python. An empty value stays empty,
    so `blank` still means "none". Lookups cannot match: equal texts encrypt differently.

    A value the current key cannot open raises DecryptionError when read, failing the whole
    query; with `allow_undecryptable=True` it reads as an Undecryptable instead, for the code
    that uses the secret to refuse that row alone."""

    def __init__(self, *args, allow_undecryptable: bool = False, **kwargs) -> None:
        self.allow_undecryptable = allow_undecryptable
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.allow_undecryptable:
            kwargs["allow_undecryptable"] = True
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression, connection) -> str | Undecryptable | None:
        if not value:
            return value
        try:
            return decrypt(value)
        except DecryptionError:
            if self.allow_undecryptable:
                return Undecryptable(value)
            raise

    def get_prep_value(self, value):
        if isinstance(value, Undecryptable):
            return value.token
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
