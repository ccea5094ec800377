"""Failed dashboard logins, counted in the cache per username and per client address.

After MAX_PER_USER failures for one username, or MAX_PER_ADDRESS from one address, within
WINDOW seconds, logins are refused until the window ends, right password or not: guessing
a password costs a window per handful of tries. A success clears the username's count.
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import attempts

MAX_PER_USER = 5
MAX_PER_ADDRESS = 20
WINDOW = 15 * 60
REFUSED = "Too many failed logins. Try again in 15 minutes."


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    return [
        (f"login-failures:user:{username.lower()}", MAX_PER_USER),
        (f"login-failures:addr:{address}", MAX_PER_ADDRESS),
    ]


def blocked(username: str, address: str) -> bool:
    return any(attempts.count(key) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    for key, _limit in _keys(username, address):
        attempts.record(key, WINDOW)


def clear(username: str) -> None:
    attempts.forget(f"login-failures:user:{username.lower()}")


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if blocked(username, address):
            raise forms.ValidationError(REFUSED, code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(username, address)
            raise
        clear(username)
        return cleaned
