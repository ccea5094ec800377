from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from statusapp.api.viewsets import OrganizationScopedViewSet
from webhooks import services
from webhooks.models import EventType, WebhookEndpoint

from .serializers import CreatedWebhookEndpointSerializer, WebhookEndpointSerializer


class WebhookEndpointViewSet(OrganizationScopedViewSet):
    """Webhook endpoints. Admin keys only: they carry signing secrets."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    required_permission = "admin"

    @extend_schema(responses={201: CreatedWebhookEndpointSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("events", EventType.values)
        endpoint = services.webhook_endpoint_create(organization=request.auth.organization, **data)
        return Response(CreatedWebhookEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.webhook_endpoint_update(
            endpoint=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(endpoint=instance)
