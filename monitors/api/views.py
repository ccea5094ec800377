from monitors import services
from monitors.filters import MONITOR_FILTERS
from monitors.models import Monitor
from statusapp.api.viewsets import OrganizationScopedViewSet

from .serializers import REPRESENTATION_COLUMNS, MonitorSerializer


class MonitorViewSet(OrganizationScopedViewSet):
    queryset = Monitor.objects.all()
    serializer_class = MonitorSerializer
    list_filters = MONITOR_FILTERS
    # A 100-monitor page builds several times faster from rows than from instances.
    list_columns = REPRESENTATION_COLUMNS

    def perform_create(self, serializer):
        serializer.instance = services.monitor_create(
            organization=self.request.auth.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.monitor_update(monitor=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.monitor_delete(monitor=instance)
