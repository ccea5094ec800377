from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts import notify, services
from alerts.acknowledgement import NotDown, acknowledge
from alerts.filters import AlertChannelFilterSet, AlertFilterSet
from alerts.models import Alert, AlertAttempt, AlertChannel
from monitors.models import Monitor
from statusapp.api.viewsets import OrganizationScopedViewSet, RateLimitFirstMixin

from .serializers import (
    AcknowledgementSerializer,
    AlertChannelSerializer,
    AlertDeliverySerializer,
    CreatedAlertChannelSerializer,
)


class InvalidState(exceptions.APIException):
    """A 400 `invalid_request` for a request the object's state does not allow; the message says why."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"


def deliveries_of(channel: AlertChannel):
    """The channel's alerts, newest first, with their attempt log (one prefetch)."""
    return (
        Alert.objects.filter(channel_id=channel.pk)
        .defer("message")
        .prefetch_related(Prefetch("attempt_log", queryset=AlertAttempt.objects.order_by("-attempted_at", "-id")))
        .order_by("-created_at", "-id")
    )


CREATE_EXAMPLES = [
    OpenApiExample(
        "Email the on-call team",
        value={"name": "On-call email", "type": "email", "config": {"to": ["oncall@example.com"]}},
        request_only=True,
    ),
    OpenApiExample(
        "Slack, every monitor",
        value={
            "name": "#ops on Slack",
            "type": "slack",
            "config": {"url": "https://hooks.slack.com/services/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"},
            "events": ["monitor.down", "monitor.up"],
            "allMonitors": True,
        },
        request_only=True,
    ),
    OpenApiExample(
        "PagerDuty for outages only",
        value={
            "name": "PagerDuty",
            "type": "pagerduty",
            "config": {"routingKey": "R0123456789ABCDEF0123456789ABCDE"},
            "events": ["monitor.down", "monitor.up"],
        },
        request_only=True,
    ),
]
CHANGE_EXAMPLES = [
    OpenApiExample("Rename", value={"name": "Ops email"}, request_only=True),
    OpenApiExample(
        "Change the addresses", value={"config": {"to": ["ops@example.com", "cto@example.com"]}}, request_only=True
    ),
    OpenApiExample("Pause alerts", value={"enabled": False}, request_only=True),
]


@extend_schema_view(
    list=extend_schema(summary="List alert channels", description="Secret config values are masked."),
    retrieve=extend_schema(summary="One alert channel", description="Secret config values are masked."),
    update=extend_schema(summary="Change an alert channel", examples=CHANGE_EXAMPLES),
    partial_update=extend_schema(summary="Change an alert channel", examples=CHANGE_EXAMPLES),
    destroy=extend_schema(
        summary="Delete an alert channel",
        description="Admin keys only. The channel's id is also taken out of monitors' `alertChannels` and "
        "escalation steps.",
    ),
)
class AlertChannelViewSet(OrganizationScopedViewSet):
    """Alert channels: where alerts reach people. Write keys create and change them; deleting needs admin."""

    queryset = AlertChannel.objects.all()
    serializer_class = AlertChannelSerializer
    filterset_class = AlertChannelFilterSet

    @extend_schema(
        summary="Create an alert channel",
        description="The response shows the config in full, secrets included: the only time they are shown.",
        responses={201: CreatedAlertChannelSerializer},
        examples=CREATE_EXAMPLES,
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = services.channel_create(organization=request.auth.organization, **serializer.validated_data)
        return Response(CreatedAlertChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = services.channel_update(channel=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.channel_delete(channel=instance)

    @extend_schema(
        summary="A channel's deliveries",
        description="Every alert sent (or to be sent) to this channel, newest first, each with its attempts "
        "newest first: time, HTTP status, duration, error and the first bytes of the response.",
        responses=AlertDeliverySerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="deliveries",
        serializer_class=AlertDeliverySerializer,
        filterset_class=AlertFilterSet,
    )
    def deliveries(self, request, pk=None):
        channel = self.get_object()
        page = self.paginate_queryset(self.filter_queryset(deliveries_of(channel)))
        return self.get_paginated_response(AlertDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a test alert",
        description="Queues a test alert to this channel now, whatever its events; follow it under "
        "`deliveries`. A disabled channel is a 400: enable it first.",
        request=None,
        responses={202: AlertDeliverySerializer},
    )
    @action(detail=True, methods=["post"], url_path="test", serializer_class=AlertDeliverySerializer)
    def send_test(self, request, pk=None):
        channel = self.get_object()
        if not channel.enabled:
            reason = f" ({channel.disabled_reason})" if channel.disabled_reason else ""
            raise InvalidState(
                f"Alert channel {channel.id} is disabled{reason}: "
                'enable it with PUT {"enabled": true} before sending a test.'
            )
        alert = notify.send_test(channel)
        # Read back: with an eager broker the alert may already have been sent.
        alert = deliveries_of(channel).get(pk=alert.pk)
        return Response(AlertDeliverySerializer(alert).data, status=status.HTTP_202_ACCEPTED)


class MonitorAcknowledgeView(RateLimitFirstMixin, generics.GenericAPIView):
    """POST /api/monitors/{id}/acknowledge (write keys)."""

    queryset = Monitor.objects.all()
    serializer_class = AcknowledgementSerializer
    lookup_url_kwarg = "id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Monitor.objects.none()
        return Monitor.objects.filter(organization=self.request.auth.organization)

    @extend_schema(
        operation_id="monitors_acknowledge",
        summary="Acknowledge a DOWN monitor",
        description="Someone has seen the outage: reminders and escalation stop until the monitor recovers. "
        "`acknowledgedBy` names the API key. Acknowledging again keeps the first time and name. A monitor "
        "that is not DOWN is a 400.",
        request=None,
        responses={200: AcknowledgementSerializer},
    )
    def post(self, request, *args, **kwargs):
        monitor = self.get_object()
        try:
            monitor = acknowledge(monitor=monitor, by=f"API key {request.auth.name}")
        except NotDown as exc:
            raise InvalidState(str(exc)) from None
        return Response(AcknowledgementSerializer(monitor).data)
