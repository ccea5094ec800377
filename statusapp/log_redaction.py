"""Keeps the credentials that travel in URL paths out of the logs.

Some links carry their secret in the path: heartbeat pings (`/ping/<token>`), invitation
links (`/settings/invitations/<token>`), password reset links
(`/account/reset/<uid>/<token>`), subscribers' confirm and unsubscribe links (also on a
page's custom domain) and monitor badges (`/badge/<token>/…`). Django writes request paths
itself: `django.request` on every 4xx/5xx answer ("Not Found: …", "Bad Request: …", a 500's
traceback), `django.security.csrf` on a form refused for its CSRF token ("Forbidden (CSRF
token missing.): …") and runserver's `django.server` on every request.

`RedactSecretPaths`, set on those loggers in `settings.LOGGING`, replaces each such secret
with `<token>`, and drops the request attached to the record, so that no handler
(mail_admins, say) can write its path either. Imports nothing of Django: logging is
configured before the apps are loaded.
"""

import logging
import re

REDACTED = "<token>"
_SEGMENT = r"[^/\s?#\"']+"
# What comes before the secret (kept), then the secret: one path segment.
_SECRET_PATH = re.compile(
    r"(?P<before>/ping/|/settings/invitations/|/account/reset/" + _SEGMENT + r"/"
    r"|/subscribe/confirm/|/unsubscribe/|/badge/)" + _SEGMENT
)


def redact(text: str) -> str:
    """`text` with the secret of every secret-bearing path in it replaced by `<token>`."""
    return _SECRET_PATH.sub(rf"\g<before>{REDACTED}", text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        request = getattr(record, "request", None)
        if request is not None:
            path = getattr(request, "path", "") or ""
            if redact(path) != path:
                record.request = None
        return True
