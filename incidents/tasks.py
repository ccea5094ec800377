from celery import shared_task

from . import automation, maintenance


# Enqueued after every commit that writes StatusChange rows, and run every minute by
# beat as a sweep for whatever a lost message left. One batch per run: a batch that
# leaves changes waiting queues the next run behind the deliveries it has just queued,
# so they go out while the rest of a burst of transitions is still being handled (a
# second later when it left them because another run held their organization, which
# will have committed by then).
@shared_task(ignore_result=True)
def process_status_changes() -> int:
    handled, more = automation.process_status_changes()
    if more:
        process_status_changes.apply_async(countdown=0 if handled else 1)
    return handled


@shared_task(ignore_result=True, expires=5)
def sync_maintenances() -> int:
    return maintenance.sync_maintenances()
