from celery import shared_task

from . import outages


@shared_task(ignore_result=True, expires=10)
def follow_outages() -> int:
    """Reminders, escalation steps and released held alerts that have come due."""
    return outages.follow()
