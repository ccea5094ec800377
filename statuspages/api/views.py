from statusapp.api.viewsets import OrganizationScopedViewSet
from statuspages import services
from statuspages.models import StatusPage

from .serializers import StatusPageSerializer


class StatusPageViewSet(OrganizationScopedViewSet):
    queryset = StatusPage.objects.prefetch_related("components")
    serializer_class = StatusPageSerializer

    def perform_create(self, serializer):
        serializer.instance = services.status_page_create(
            organization=self.request.auth.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.status_page_update(page=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.status_page_delete(page=instance)
