from django.db.models import F, Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from statusapp.api.ids import ID_URL_PATTERN
from statusapp.api.viewsets import OrganizationScopedViewSet
from webhooks import services
from webhooks.filters import DeliveryFilterSet, EventFilterSet
from webhooks.models import TEST_EVENT, Delivery, DeliveryAttempt, Event, EventType, WebhookEndpoint

from .pagination import CursorPagination
from .serializers import (
    CreatedWebhookEndpointSerializer,
    DeliveryDetailSerializer,
    DeliverySerializer,
    EventSerializer,
    RotatedWebhookEndpointSerializer,
    WebhookEndpointSerializer,
)

DELIVERY_ID = OpenApiParameter(
    "deliveryId", OpenApiTypes.STR, OpenApiParameter.PATH, description="The delivery's id (`dlv_…`)."
)
DELIVERY_PATH = rf"deliveries/(?P<deliveryId>{ID_URL_PATTERN})"


class EndpointDisabled(exceptions.APIException):
    """A 400 `invalid_request` whose message says what to do."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"


def deliveries_of(endpoint: WebhookEndpoint, *, with_payload: bool = False):
    """The endpoint's deliveries, newest first, with their event's type and attempt log (one prefetch)."""
    queryset = (
        Delivery.objects.filter(endpoint_id=endpoint.pk)
        .annotate(event_type=F("event__type"))
        .prefetch_related(Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("-attempted_at", "-id")))
        .order_by("-created_at", "-id")
    )
    if with_payload:
        queryset = queryset.annotate(event_body=F("event__body"))
    return queryset


ENDPOINT_CHANGE_EXAMPLES = [
    OpenApiExample("Change the events", value={"events": ["monitor.down", "monitor.up"]}, request_only=True),
    OpenApiExample("Pause deliveries", value={"enabled": False}, request_only=True),
]


@extend_schema_view(
    update=extend_schema(examples=ENDPOINT_CHANGE_EXAMPLES),
    partial_update=extend_schema(examples=ENDPOINT_CHANGE_EXAMPLES),
)
class WebhookEndpointViewSet(OrganizationScopedViewSet):
    """Webhook endpoints. Admin keys only: they carry signing secrets."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    required_permission = "admin"

    @extend_schema(
        responses={201: CreatedWebhookEndpointSerializer},
        examples=[
            OpenApiExample(
                "Monitor and incident events",
                value={
                    "url": "https://hooks.example.com/statusapp",
                    "description": "On-call bot",
                    "events": ["monitor.down", "monitor.up", "incident.created"],
                },
                request_only=True,
            ),
            OpenApiExample("Every event", value={"url": "https://hooks.example.com/everything"}, request_only=True),
        ],
    )
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

    # --- deliveries ---

    def get_delivery(self, endpoint: WebhookEndpoint) -> Delivery:
        """A delivery of this endpoint; another endpoint's (or an unknown id) is a 404."""
        return get_object_or_404(deliveries_of(endpoint, with_payload=True), pk=self.kwargs["deliveryId"])

    def refuse_if_disabled(self, endpoint: WebhookEndpoint, doing: str) -> None:
        if not endpoint.enabled:
            reason = f" ({endpoint.disabled_reason})" if endpoint.disabled_reason else ""
            raise EndpointDisabled(
                f"Webhook endpoint {endpoint.id} is disabled{reason}: "
                f'enable it with PUT {{"enabled": true}} before {doing}.'
            )

    def delivery_response(self, endpoint: WebhookEndpoint, delivery_id: str, status_code: int) -> Response:
        """The delivery as it is now, and in `Location` where to follow it."""
        # Read back: with an eager broker the delivery may already have been sent.
        delivery = get_object_or_404(deliveries_of(endpoint, with_payload=True), pk=delivery_id)
        location = reverse("webhook-delivery", kwargs={"pk": endpoint.pk, "deliveryId": delivery.pk})
        return Response(DeliveryDetailSerializer(delivery).data, status=status_code, headers={"Location": location})

    @extend_schema(
        summary="An endpoint's deliveries",
        description="Every event sent (or to be sent) to this endpoint, newest first, each with its attempts "
        "newest first: time, HTTP status, duration, error and the first bytes of the response.",
        responses=DeliverySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deliveries",
        serializer_class=DeliverySerializer,
        filterset_class=DeliveryFilterSet,
    )
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        page = self.paginate_queryset(self.filter_queryset(deliveries_of(endpoint)))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="One delivery, with its payload",
        description="The delivery as in the list, plus `payload`: the event body exactly as sent.",
        parameters=[DELIVERY_ID],
        responses=DeliveryDetailSerializer,
    )
    @action(detail=True, methods=["get"], url_path=DELIVERY_PATH, serializer_class=DeliveryDetailSerializer)
    def delivery(self, request, *args, **kwargs):
        delivery = self.get_delivery(self.get_object())
        return Response(DeliveryDetailSerializer(delivery).data)

    @extend_schema(
        summary="Send a delivery again",
        description="Sends the same event (same body, same `webhook-id`) again now, whatever became of it; "
        "the earlier attempts stay in the log. A disabled endpoint is a 400: enable it first.",
        parameters=[DELIVERY_ID],
        request=None,
        responses={202: DeliveryDetailSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"{DELIVERY_PATH}/redeliver",
        serializer_class=DeliveryDetailSerializer,
    )
    def redeliver(self, request, *args, **kwargs):
        endpoint = self.get_object()
        delivery = self.get_delivery(endpoint)
        self.refuse_if_disabled(endpoint, "redelivering")
        delivery.endpoint = endpoint
        services.delivery_redeliver(delivery=delivery)
        return self.delivery_response(endpoint, delivery.pk, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Send a test event",
        description="Sends a signed `webhook.test` event to this endpoint now, whatever it subscribes to. "
        "Test events are not listed under /api/events. A disabled endpoint is a 400.",
        request=None,
        responses={202: DeliveryDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="test", serializer_class=DeliveryDetailSerializer)
    def send_test(self, request, pk=None):
        endpoint = self.get_object()
        self.refuse_if_disabled(endpoint, "sending a test")
        delivery = services.webhook_send_test(endpoint=endpoint)
        return self.delivery_response(endpoint, delivery.pk, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Rotate the signing secret",
        description="A new secret, shown only in this response. For 24 hours (until "
        "`previousSecretExpiresAt`) deliveries are signed with both: a second `v1,` signature in "
        "`webhook-signature` and `X-StatusApp-Signature-Previous`.",
        request=None,
        responses={200: RotatedWebhookEndpointSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", serializer_class=RotatedWebhookEndpointSerializer)
    def rotate_secret(self, request, pk=None):
        endpoint = services.webhook_secret_rotate(endpoint=self.get_object())
        return Response(RotatedWebhookEndpointSerializer(endpoint).data)


@extend_schema_view(
    list=extend_schema(
        summary="List events",
        description="The organization's events, newest first, each exactly as its receivers got it. "
        "Cursor-paginated: follow `pagination.nextCursor` until it is null; events published "
        "meanwhile never shift the walk. Test events (`webhook.test`) are left out.",
    ),
    retrieve=extend_schema(summary="One event", description="The event exactly as its receivers got it."),
)
class EventViewSet(OrganizationScopedViewSet):
    """/api/events: what happened, as webhook bodies. Any key may read them."""

    queryset = Event.objects.only("id", "created_at", "body")
    serializer_class = EventSerializer
    pagination_class = CursorPagination
    filterset_class = EventFilterSet
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.exclude(type=TEST_EVENT)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        # The body as it is: a serializer's `.data` would wrap it in a dict.
        return Response(EventSerializer().to_representation(self.get_object()))
