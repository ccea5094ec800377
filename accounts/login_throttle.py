"""Failed logins, to the dashboard and to the admin, counted per username and per client
address.

After MAX_PER_USER failures for one username, or MAX_PER_ADDRESS from one address, within
WINDOW seconds, logins are refused until the window ends, right password or not: guessing
a password costs a window per handful of tries. A success clears the username's count.

Each attempt is counted before its password is checked, and refused when its count is past
a limit (a refused attempt is taken back: it checked nothing), so concurrent attempts
cannot all slip under the limit together.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from . import attempts
from .client_address import client_address

MAX_PER_USER = 5
MAX_PER_ADDRESS = 20
WINDOW = 15 * 60
REFUSED = "Too many failed logins. Try again in 15 minutes."


def _user_key(username: str) -> str:
    return f"login-failures:user:{username.lower()}"


def _address_key(address: str) -> str:
    return f"login-failures:addr:{address}"


class LoginThrottleMixin:
    """For an AuthenticationForm: throttles its `clean`, which checks the password."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # nothing is checked without both
        limits = {_user_key(username): MAX_PER_USER, _address_key(client_address(self.request)): MAX_PER_ADDRESS}
        counts = {key: attempts.record(key, WINDOW) for key in limits}
        if any(counts[key] > limit for key, limit in limits.items()):
            for key in limits:
                attempts.release(key)
            raise forms.ValidationError(REFUSED, code="throttled")
        cleaned = super().clean()  # a wrong password raises here, and stays counted
        user_key, address_key = limits
        attempts.forget(user_key)
        attempts.release(address_key)
        return cleaned


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    pass
