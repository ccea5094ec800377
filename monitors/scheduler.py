"""Claim due monitors so they can be handed to their regions' workers in batches.

`monitors.tasks.dispatch_due_monitors` runs this every second from Celery beat. Claiming
takes the due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL (so two claimers, even two
beats by mistake, never take the same monitor), advances each one's `next_check_at` to
its next grid slot and commits; only then are the batches enqueued, one per region and
start tick, each to be delivered at its tick. On SQLite the IMMEDIATE transaction makes the claim a
single writer.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction

from . import regions
from .bulk import bulk_set
from .models import Monitor
from .schedule import following_slot, start_time


class Claimed(NamedTuple):
    monitor_id: str
    slot: datetime
    type: str
    regions: list[str]  # as the monitor names them: [] for all


def claim_due_monitors(*, now: datetime, lookahead: timedelta, limit: int) -> list[Claimed]:
    """A Claimed slot for every active monitor due before now + lookahead, up to `limit`."""
    with transaction.atomic():
        due = (
            Monitor.objects.filter(next_check_at__lte=now + lookahead)
            .exclude(status=Monitor.Status.PAUSED)
            .order_by("next_check_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("id", "interval", "next_check_at", "type", "regions")[:limit])
        if not rows:
            return []
        bulk_set(
            Monitor,
            ["next_check_at"],
            [
                (monitor_id, following_slot(slot, now=now, monitor_id=monitor_id, interval=interval))
                for monitor_id, interval, slot, _, _ in rows
            ],
        )
    return [Claimed(monitor_id, slot, type_, named) for monitor_id, _, slot, type_, named in rows]


def batches(claimed: list[Claimed], alive: set[str], size: int) -> list[tuple[float, str, list]]:
    """The claimed slots grouped by the tick they start on and the region to check them
    from, at most `size` to a batch: (start, region, [(monitor id, slot)]) in start order.
    A batch reaches a worker when it is to start, so a pool process never sits waiting for
    a slot while other batches queue behind it."""
    grouped: dict[tuple[float, str], list] = {}
    for c in claimed:
        for region in regions.to_check_from(c.type, c.regions, alive):
            grouped.setdefault((start_time(c.slot), region), []).append((c.monitor_id, c.slot))
    return [
        (start, region, slots[first : first + size])
        for (start, region), slots in sorted(grouped.items())
        for first in range(0, len(slots), size)
    ]
