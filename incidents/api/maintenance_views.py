from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from incidents import maintenance as services
from incidents.filters import MaintenanceFilterSet
from incidents.models import Maintenance
from monitors.models import Monitor
from statusapp.api.viewsets import OrganizationScopedViewSet

from .maintenance_serializers import MaintenanceSerializer

CHANGE_EXAMPLES = [
    OpenApiExample("End early", value={"status": "completed"}, request_only=True),
    OpenApiExample("Say more", value={"description": "Now also moving the read replicas."}, request_only=True),
]


@extend_schema_view(
    create=extend_schema(
        description="A window whose start has passed is in_progress at once, and its monitors under maintenance.",
        examples=[
            OpenApiExample(
                "A two-hour window for one monitor",
                value={
                    "title": "Database upgrade",
                    "description": "PostgreSQL 16 to 17; the API may be slow for a few minutes.",
                    "startsAt": "2030-01-15T02:00:00Z",
                    "endsAt": "2030-01-15T04:00:00Z",
                    "monitors": ["mon_123"],
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(
        description="Only the fields sent change. Setting status to completed ends the window early and "
        "takes its monitors out of maintenance (unless another active window covers them).",
        examples=CHANGE_EXAMPLES,
    ),
    partial_update=extend_schema(examples=CHANGE_EXAMPLES),
)
class MaintenanceViewSet(OrganizationScopedViewSet):
    """Scheduled maintenance windows. While one is active (in_progress or verifying) its
    monitors are still checked, but their results are left out of uptime and no alert fires."""

    queryset = Maintenance.objects.all()
    serializer_class = MaintenanceSerializer
    filterset_class = MaintenanceFilterSet

    def get_queryset(self):
        monitor_ids = Prefetch("monitors", queryset=Monitor.objects.only("id"))
        return super().get_queryset().prefetch_related(monitor_ids)

    def perform_create(self, serializer):
        serializer.instance = services.maintenance_create(
            organization=self.request.auth.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.maintenance_update(maintenance=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.maintenance_delete(maintenance=instance)
