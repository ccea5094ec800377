"""The password-reset request: links built from STATUSAPP_BASE_URL, and a throttle.

The link never comes from the request's Host: custom domains are in ALLOWED_HOSTS, so a
request sent with another Host would otherwise mail the victim a link to that host, token
included.

At most MAX_PER_EMAIL reset emails go to one address, and MAX_PER_CLIENT requests from one
client address, per WINDOW. Past either, the request gets the same answer ("if an account
has that address…") but no email is sent, so the form can neither flood an inbox nor tell
which addresses have accounts.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm

from . import attempts
from .client_address import client_address

logger = logging.getLogger(__name__)

MAX_PER_EMAIL = 3
MAX_PER_CLIENT = 10
WINDOW = 3600


def _allowed(email: str, address: str) -> bool:
    """Count this request; False (and not counted) when the address or the client is past its limit."""
    limits = {f"password-reset:email:{email.lower()}": MAX_PER_EMAIL, f"password-reset:addr:{address}": MAX_PER_CLIENT}
    counts = {key: attempts.record(key, WINDOW) for key in limits}
    if all(counts[key] <= limit for key, limit in limits.items()):
        return True
    for key in limits:
        attempts.release(key)
    return False


class ThrottledPasswordResetForm(PasswordResetForm):
    def save(self, request=None, **kwargs) -> None:
        address = client_address(request) if request is not None else ""
        if not _allowed(self.cleaned_data["email"], address):
            logger.info("password reset throttled, no email sent")
            return
        base = urlsplit(settings.STATUSAPP_BASE_URL)
        kwargs["domain_override"] = base.netloc
        kwargs["use_https"] = base.scheme == "https"
        context = kwargs.get("extra_email_context") or {}
        kwargs["extra_email_context"] = {**context, "base_url": settings.STATUSAPP_BASE_URL}
        super().save(request=request, **kwargs)
