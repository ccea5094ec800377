"""Celery's and kombu's routine lines at DEBUG.

At INFO, Celery logs every task beat sends and every task a worker receives and
finishes: with three schedules a second, about ten lines a second that bury what matters
(a failure, a warning, an email printed by the console backend). And kombu warns "No
hostname was supplied" whenever a process connects to the embedded filesystem broker,
whose URL has no host to supply. `RoutineAtDebug`, set on those loggers in
`settings.LOGGING`, demotes exactly these messages to DEBUG: shown at `--loglevel DEBUG`
(`LOG_LEVEL=DEBUG` under `make run`), dropped otherwise. Failures, retries and every
other line keep their level. Imports nothing of Django: logging is configured before the
apps are loaded.
"""

import logging

from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

BEAT_SENDING = "Scheduler: Sending due task %s (%s)"  # celery.beat.Scheduler.apply_entry
TEMPLATES = frozenset({LOG_RECEIVED, LOG_SUCCESS, BEAT_SENDING})
NO_HOSTNAME = "No hostname was supplied."  # kombu.connection, formatted before logging


class RoutineAtDebug(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or not (record.msg in TEMPLATES or str(record.msg).startswith(NO_HOSTNAME)):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
