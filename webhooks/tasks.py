from celery import shared_task
from django.conf import settings

from . import dispatch, recording
from .sender import SLOW_GAP, sender


# A lost or repeated message is harmless: a delivery is sent only by the holder of its
# lease, and the sweeper takes up whatever a lost message or a dead worker left.
@shared_task(ignore_result=True)
def send_deliveries(token: str, delivery_ids: list[str]) -> int:
    """Send the deliveries still leased under `token`; returns how many were recorded here."""
    jobs = dispatch.claim(token, delivery_ids)
    if not jobs:
        return 0
    batch = sender(recording.record).start(
        jobs, timeout=settings.WEBHOOK_TIMEOUT, allow_private=settings.STATUSAPP_ALLOW_PRIVATE_TARGETS
    )
    outcomes = batch.collect(SLOW_GAP)
    recording.record(outcomes)
    return len(outcomes)


@shared_task(ignore_result=True, expires=5)
def sweep_deliveries() -> int:
    return dispatch.sweep()
