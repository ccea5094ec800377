from django.apps import AppConfig
from django.db import transaction


def _process_after_commit(count: int, **kwargs) -> None:
    """One run per batch of the new transitions, so a burst is handled by every free
    worker process at once (each run takes its own batch)."""
    from .automation import BATCH_SIZE
    from .tasks import process_status_changes

    for _ in range(-(-count // BATCH_SIZE)):
        transaction.on_commit(process_status_changes.delay)


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        from monitors.signals import status_changes_recorded

        status_changes_recorded.connect(_process_after_commit, dispatch_uid="incidents.process_status_changes")
