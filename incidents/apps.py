from django.apps import AppConfig
from django.db import transaction


def _process_after_commit(**kwargs) -> None:
    from .tasks import process_status_changes

    transaction.on_commit(process_status_changes.delay)


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        from monitors.signals import status_changes_recorded

        status_changes_recorded.connect(_process_after_commit, dispatch_uid="incidents.process_status_changes")
