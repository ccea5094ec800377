from celery import shared_task

from . import automation, maintenance


# Enqueued after every commit that writes StatusChange rows, and run every minute by
# beat as a sweep for whatever a lost message left.
@shared_task(ignore_result=True)
def process_status_changes() -> int:
    return automation.process_status_changes()


@shared_task(ignore_result=True, expires=5)
def sync_maintenances() -> int:
    return maintenance.sync_maintenances()
