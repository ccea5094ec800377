from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from incidents import services
from incidents.filters import IncidentFilterSet
from incidents.models import Incident, IncidentUpdate
from incidents.selectors import incidents_with_components
from statusapp.api.ids import ID_URL_PATTERN
from statusapp.api.viewsets import OrganizationScopedViewSet

from .serializers import (
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
)

INCIDENT_CHANGE_EXAMPLES = [
    OpenApiExample(
        "Resolve", value={"status": "RESOLVED", "update": "Issue resolved. All systems operational."}, request_only=True
    ),
    OpenApiExample("Lower the impact", value={"impact": "low"}, request_only=True),
]


@extend_schema_view(
    create=extend_schema(
        request=IncidentCreateSerializer,
        examples=[
            OpenApiExample(
                "An incident on one monitor",
                value={
                    "title": "Database Maintenance",
                    "description": "Planned maintenance on primary database",
                    "status": "INVESTIGATING",
                    "affectedComponents": ["mon_123"],
                    "impact": "high",
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(examples=INCIDENT_CHANGE_EXAMPLES),
    partial_update=extend_schema(examples=INCIDENT_CHANGE_EXAMPLES),
)
class IncidentViewSet(OrganizationScopedViewSet):
    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    def get_queryset(self):
        queryset = incidents_with_components(super().get_queryset())
        if self.action != "list":
            queryset = queryset.prefetch_related("updates")
        return queryset

    def get_serializer_class(self):
        return IncidentSerializer if self.action == "list" else IncidentDetailSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["affected"] = data.pop("affected", ())
        serializer.instance = services.incident_create(organization=self.request.auth.organization, **data)

    def perform_update(self, serializer):
        serializer.instance = services.incident_update(incident=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.incident_delete(incident=instance)

    @extend_schema(
        request=IncidentUpdateSerializer,
        responses={201: IncidentUpdateSerializer},
        examples=[
            OpenApiExample(
                "Tell subscribers",
                value={"message": "Investigating database connectivity issues", "notifySubscribers": True},
                request_only=True,
            ),
            OpenApiExample(
                "Move the status on",
                value={"status": "MONITORING", "message": "A fix is deployed; we are watching the error rate."},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="updates", serializer_class=IncidentUpdateSerializer)
    def updates(self, request, pk=None):
        incident = self.get_object()
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = services.incident_add_update(incident=incident, **serializer.validated_data)
        return Response(IncidentUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="One update of an incident's timeline",
        parameters=[OpenApiParameter("updateId", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses=IncidentUpdateSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"updates/(?P<updateId>{ID_URL_PATTERN})",
        serializer_class=IncidentUpdateSerializer,
    )
    def update_detail(self, request, *args, **kwargs):
        updates = IncidentUpdate.objects.filter(incident_id=self.get_object().pk)
        update = get_object_or_404(updates, pk=self.kwargs["updateId"])
        return Response(IncidentUpdateSerializer(update).data)
