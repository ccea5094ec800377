import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_init, worker_ready
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statusapp.settings")

app = Celery("statusapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: a new PostgreSQL connection per task, which took a tenth of the
# worker's time in a webhook burst. Connections are kept instead, and closed when
# Django would close them (CONN_MAX_AGE, a failed health check), as around a request.
app.conf.CELERY_DB_REUSE_MAX = 2**31
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def delay_on_commit(task, *args) -> None:
    """Queue `task` once the current transaction commits.

    By then the change that called for it is committed, so an unreachable broker must not
    turn the request into an error: the task's work is also picked up by a periodic sweep
    (status changes, subscriber emails, webhook deliveries whose lease runs out), so it
    comes late, not never."""

    def enqueue() -> None:
        try:
            task.delay(*args)
        except OperationalError as exc:
            logger.warning("broker unavailable, %s left to its sweep: %s", task.name, type(exc).__name__)

    transaction.on_commit(enqueue)


_in_worker = False


@worker_init.connect
def _worker_init(**kwargs) -> None:
    global _in_worker
    _in_worker = True  # before the pool forks: its processes inherit it


def in_worker() -> bool:
    """Whether this process runs tasks for a Celery worker (not a web process, not beat,
    not a task run inline)."""
    return _in_worker


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    if task is not None and getattr(task.request, "is_eager", False):
        return  # a task run inline belongs to its caller's transaction
    from django.db import close_old_connections

    close_old_connections()


# `make run` (statusapp.run) prints the address once the worker and beat are up: each marks
# itself ready in the folder the launcher names, after installing its signal handlers.
READY_DIR_VARIABLE = "STATUSAPP_RUN_READY_DIR"


def _mark_ready(name: str) -> None:
    ready_dir = os.environ.get(READY_DIR_VARIABLE)
    if ready_dir:
        Path(ready_dir, name).touch()


@worker_ready.connect
def _worker_ready(**kwargs) -> None:
    _mark_ready("worker")


@beat_init.connect
def _beat_ready(**kwargs) -> None:
    _mark_ready("beat")
