from celery import shared_task

from . import automation, maintenance


# Enqueued after every commit that writes StatusChange rows, and run every minute by
# beat as a sweep for whatever a lost message left. One batch per run: a full batch
# queues the next run behind the deliveries it has just queued, so they go out while
# the rest of a burst of transitions is still being handled.
@shared_task(ignore_result=True)
def process_status_changes() -> int:
    handled = automation.process_status_changes()
    if handled == automation.BATCH_SIZE:
        process_status_changes.delay()
    return handled


@shared_task(ignore_result=True, expires=5)
def sync_maintenances() -> int:
    return maintenance.sync_maintenances()
