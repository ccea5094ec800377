from django.apps import AppConfig

# Runs started for one commit: a burst is handled this many batches at a time (each
# run takes its own batch and, if it was full, queues the next run behind the
# deliveries it queued), leaving the other worker processes free to send.
PARALLEL_RUNS = 4


def _process_after_commit(count: int, **kwargs) -> None:
    from statusapp.celery import delay_on_commit

    from .automation import BATCH_SIZE
    from .tasks import process_status_changes

    for _ in range(min(PARALLEL_RUNS, -(-count // BATCH_SIZE))):
        delay_on_commit(process_status_changes)


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        from monitors.signals import status_changes_recorded

        status_changes_recorded.connect(_process_after_commit, dispatch_uid="incidents.process_status_changes")

        from accounts import generation

        generation.track(self.get_model("Incident"))
        generation.track(self.get_model("IncidentUpdate"), organization_of=lambda row: row.incident.organization_id)
        generation.track(self.get_model("Maintenance"))
