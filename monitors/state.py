"""The status machine: what a check result does to a monitor's status."""

from .models import Monitor

UP, DEGRADED, DOWN, PENDING = Monitor.Status.UP, Monitor.Status.DEGRADED, Monitor.Status.DOWN, Monitor.Status.PENDING
# Results that count as available: in uptime, and in response-time figures.
SUCCESS = frozenset({UP, DEGRADED})


def next_status(*, status: str, failure_count: int, retries: int, result: str) -> tuple[str, int]:
    """(new status, new consecutive failure count) after one check result.

    A success (UP or DEGRADED) counts at once. A failure turns the monitor DOWN only
    after `retries` further failures confirm it; until then it keeps its status.
    """
    if result != DOWN:
        return result, 0
    failures = failure_count + 1
    if failures > retries:
        return DOWN, failures
    return status, failures
