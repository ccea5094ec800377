"""Claim due monitors so they can be handed to workers in batches.

`monitors.tasks.dispatch_due_monitors` runs this every second from Celery beat. Claiming takes the due rows with
`FOR UPDATE SKIP LOCKED` on PostgreSQL (so two claimers, even two beats by mistake,
never take the same monitor), advances each one's `next_check_at` to its next grid
slot and commits; only then are the batches enqueued. On SQLite the IMMEDIATE
transaction makes the claim a single writer.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction

from .bulk import bulk_set
from .models import Monitor
from .schedule import following_slot


def claim_due_monitors(*, now: datetime, lookahead: timedelta, limit: int) -> list[tuple[str, datetime]]:
    """(monitor id, slot) for every active monitor due before now + lookahead, up to `limit`."""
    with transaction.atomic():
        due = (
            Monitor.objects.filter(next_check_at__lte=now + lookahead)
            .exclude(status=Monitor.Status.PAUSED)
            .order_by("next_check_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("id", "interval", "next_check_at")[:limit])
        if not rows:
            return []
        bulk_set(
            Monitor,
            ["next_check_at"],
            [
                (monitor_id, following_slot(slot, now=now, monitor_id=monitor_id, interval=interval))
                for monitor_id, interval, slot in rows
            ],
        )
    return [(monitor_id, slot) for monitor_id, _, slot in rows]


def batches(claimed: list, size: int) -> list[list]:
    return [claimed[start : start + size] for start in range(0, len(claimed), size)]
