"""Refused requests are logged as one line.

Django logs a view's ``PermissionDenied`` on ``django.request`` with the exception attached
("Forbidden (Permission denied): /path" and a full traceback). A 403 is a routine answer to a
request the user may not make, not a fault: the traceback only floods the log and buries the
errors that matter. ``PermissionDeniedAsOneLine``, set on that logger in ``settings.LOGGING``,
drops the exception from such records and keeps the line. Imports nothing that needs the apps:
logging is configured before they are loaded.
"""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedAsOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
