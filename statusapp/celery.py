import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statusapp.settings")

app = Celery("statusapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: a new PostgreSQL connection per task, which took a tenth of the
# worker's time in a webhook burst. Connections are kept instead, and closed when
# Django would close them (CONN_MAX_AGE, a failed health check), as around a request.
app.conf.CELERY_DB_REUSE_MAX = 2**31
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    if task is not None and getattr(task.request, "is_eager", False):
        return  # a task run inline belongs to its caller's transaction
    from django.db import close_old_connections

    close_old_connections()
