from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apikeys import services
from apikeys.filters import ApiKeyFilterSet
from apikeys.models import ApiKey
from statusapp.api.ids import ID_URL_PATTERN
from statusapp.api.viewsets import CreatedLocationMixin, FindByIdMixin, RateLimitFirstMixin

from .serializers import ApiKeySerializer, CreatedApiKeySerializer


class ApiKeyViewSet(
    CreatedLocationMixin,
    FindByIdMixin,
    RateLimitFirstMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """API keys of the caller's organization. Admin keys only."""

    queryset = ApiKey.objects.all()
    serializer_class = ApiKeySerializer
    filterset_class = ApiKeyFilterSet
    required_permission = "admin"
    lookup_value_regex = ID_URL_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiKey.objects.none()
        return ApiKey.objects.filter(organization=self.request.auth.organization)

    @extend_schema(
        request=ApiKeySerializer,
        responses={201: CreatedApiKeySerializer},
        examples=[
            OpenApiExample(
                "Read-only, for a dashboard", value={"name": "Grafana", "permission": "read"}, request_only=True
            ),
            OpenApiExample(
                "For a deploy pipeline", value={"name": "CI deploys", "permission": "write"}, request_only=True
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw_key = services.api_key_create(
            organization=request.auth.organization,
            name=serializer.validated_data["name"],
            permission=serializer.validated_data["permission"],
            expires_at=serializer.validated_data.get("expires_at"),
        )
        key.key = raw_key
        return Response(CreatedApiKeySerializer(key).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.api_key_revoke(key=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
