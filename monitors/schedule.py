"""The fixed check grid: slots at `offset + k * interval`, never drifting.

Each monitor's offset comes from its id, so checks of many monitors with the same
interval spread evenly over it instead of all firing on the same second.
"""

import math
import zlib
from datetime import UTC, datetime, timedelta


def offset_ms(monitor_id: str, interval: int) -> int:
    return zlib.crc32(monitor_id.encode()) % (interval * 1000)


def slot_at_or_after(moment: datetime, *, monitor_id: str, interval: int) -> datetime:
    """The first grid slot of this monitor at or after `moment`."""
    period = interval * 1000
    offset = offset_ms(monitor_id, interval)
    epoch_ms = int(moment.timestamp() * 1000)
    k = -(-(epoch_ms - offset) // period)  # ceiling division
    return datetime.fromtimestamp((offset + k * period) / 1000, UTC)


def following_slot(slot: datetime, *, now: datetime, monitor_id: str, interval: int) -> datetime:
    """The grid slot after `slot` (a new monitor's first, off-grid check snaps to the
    grid); if the schedule fell behind, the next slot from now instead of a burst of
    missed ones."""
    return slot_at_or_after(max(slot + timedelta(milliseconds=1), now), monitor_id=monitor_id, interval=interval)


# Checks start on ticks of this many seconds (each slot rounded up to the next tick): a
# tick's checks travel to a worker as one batch, delivered just before the tick, and start
# together. A monitor's consecutive slots round alike, so its checks stay exactly one
# interval apart.
START_TICK = 0.1


def start_time(slot: datetime) -> float:
    """The epoch second at which the check of `slot` starts: its tick."""
    return math.ceil(slot.timestamp() / START_TICK) * START_TICK
