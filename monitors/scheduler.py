"""Claim due monitors so they can be handed to workers in batches.

`monitors.tasks.dispatch_due_monitors` runs this every second from Celery beat. Claiming
takes the due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (so two claimers, even two
beats by mistake, never take the same monitor), advances each one's `next_check_at` to
its next grid slot and commits; only then are the batches enqueued, one per start tick,
each to be delivered at its tick. On SQLite the IMMEDIATE transaction makes the claim a
single writer.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction

from .bulk import bulk_set
from .models import Monitor
from .schedule import following_slot, start_time


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


def batches_by_start(claimed: list[tuple[str, datetime]], size: int) -> list[tuple[float, list]]:
    """The claimed slots grouped by the tick they start on, at most `size` to a batch:
    (start, batch) in start order. A batch reaches a worker when it is to start, so a pool
    process never sits waiting for a slot while other batches queue behind it."""
    by_start: dict[float, list] = {}
    for monitor_id, slot in claimed:
        by_start.setdefault(start_time(slot), []).append((monitor_id, slot))
    return [
        (start, slots[first : first + size])
        for start, slots in sorted(by_start.items())
        for first in range(0, len(slots), size)
    ]
