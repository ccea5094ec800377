from celery import shared_task

from . import certificates, outages


@shared_task(ignore_result=True, expires=10)
def follow_outages() -> int:
    """Reminders, escalation steps and released held alerts that have come due."""
    return outages.follow()


@shared_task(ignore_result=True, expires=60)
def check_certificates() -> int:
    """ssl.expiring alerts for the thresholds certificates have crossed."""
    return certificates.check()
