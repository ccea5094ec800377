from django.db.models import Prefetch, QuerySet

from .models import AffectedComponent, Incident


def incidents_with_components(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.prefetch_related(
        Prefetch("affected", queryset=AffectedComponent.objects.select_related("monitor").only(
            "id", "incident_id", "status", "position", "monitor__id", "monitor__name"
        ))
    )  # fmt: skip
