import time

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import generation
from monitors import selectors, services
from monitors.filters import CheckResultFilterSet, MonitorFilterSet
from monitors.models import CheckResult, Monitor
from statusapp.api.renderers import JSONRenderer
from statusapp.api.viewsets import OrganizationScopedViewSet

from .serializers import (
    CHECK_RESULT_COLUMNS,
    REPRESENTATION_COLUMNS,
    CheckResultSerializer,
    MonitorSerializer,
    MonitorUptimeSerializer,
)

# Pages of monitors already built and rendered, reused while their organization keeps its
# generation (accounts.generation): the list is what dashboards and scripts poll. Kept as
# bytes: a few hundred pages of dicts would be objects for the garbage collector to walk.
_pages: dict[tuple, tuple[bytes, float]] = {}
_MAX_PAGES = 256


CHANGE_EXAMPLES = [
    OpenApiExample("Pause", value={"status": "PAUSED"}, request_only=True),
    OpenApiExample("Resume", value={"status": "ACTIVE"}, request_only=True),
    OpenApiExample("Rename and check more often", value={"name": "Public API", "interval": 30}, request_only=True),
    OpenApiExample(
        "Confirm failures faster and remind",
        value={"retries": 2, "retryInterval": 20, "reminderInterval": 60},
        request_only=True,
    ),
]


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "HTTP",
                value={
                    "name": "API Health Check",
                    "type": "http",
                    "url": "https://api.example.com/health",
                    "interval": 60,
                    "timeout": 10,
                },
                request_only=True,
            ),
            OpenApiExample(
                "TCP port",
                value={"name": "Primary database", "type": "tcp", "host": "db.example.com", "port": 5432},
                request_only=True,
            ),
            OpenApiExample(
                "Heartbeat",
                value={"name": "Nightly backup", "type": "heartbeat", "interval": 86400, "grace": 3600},
                request_only=True,
            ),
            OpenApiExample(
                "Ping",
                summary="Ping (ICMP)",
                value={"name": "Edge router", "type": "ping", "host": "router.example.com", "pingCount": 3},
                request_only=True,
            ),
            OpenApiExample(
                "PostgreSQL",
                summary="PostgreSQL (port 5432 when left out)",
                value={
                    "name": "Orders database",
                    "type": "postgres",
                    "host": "db.example.com",
                    "username": "monitor",
                    "password": "s3cret-pass",
                    "database": "orders",
                    "tls": True,
                },
                request_only=True,
            ),
            OpenApiExample(
                "MySQL",
                summary="MySQL / MariaDB",
                value={
                    "name": "Shop database",
                    "type": "mysql",
                    "host": "mysql.example.com",
                    "port": 3306,
                    "username": "monitor",
                    "password": "s3cret-pass",
                    "database": "shop",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Redis",
                value={
                    "name": "Session cache",
                    "type": "redis",
                    "host": "cache.example.com",
                    "username": "monitor",
                    "password": "s3cret-pass",
                },
                request_only=True,
            ),
            OpenApiExample(
                "gRPC health",
                value={
                    "name": "Orders service",
                    "type": "grpc",
                    "host": "orders.example.com",
                    "port": 50051,
                    "service": "shop.orders.v1.Orders",
                    "tls": True,
                },
                request_only=True,
            ),
            OpenApiExample(
                "SMTP",
                summary="SMTP with STARTTLS and certificate expiry",
                value={
                    "name": "Mail relay",
                    "type": "smtp",
                    "host": "mail.example.com",
                    "port": 587,
                    "tls": True,
                    "sslDegradedDays": 14,
                    "sslDownDays": 3,
                },
                request_only=True,
            ),
        ]
    ),
    update=extend_schema(examples=CHANGE_EXAMPLES),
    partial_update=extend_schema(examples=CHANGE_EXAMPLES),
)
class MonitorViewSet(OrganizationScopedViewSet):
    queryset = Monitor.objects.all()
    serializer_class = MonitorSerializer
    filterset_class = MonitorFilterSet
    # A 100-monitor page builds several times faster from rows than from instances.
    list_columns = (*REPRESENTATION_COLUMNS, "uptime_24h")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            queryset = selectors.with_uptime_24h(queryset)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.action == "list":
            # Every monitor's dependencies in one query, for the serializer (see get_serializer_context).
            self._dependencies = selectors.dependency_ids([row.id for row in page])
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_dependencies", None) is not None:
            context["dependencies"] = self._dependencies
        return context

    def list(self, request, *args, **kwargs):
        current = request.user.generation
        if current is None:
            return super().list(request, *args, **kwargs)
        # The hour is part of the key: the 24-hour uptime window drops its oldest bucket on the
        # hour. The full URL is, because heartbeat monitors show their ping URL on this host.
        key = (request.auth.organization_id, current, int(time.time()) // 3600, request.build_absolute_uri())
        kept = _pages.get(key)
        if kept is not None and time.monotonic() - kept[1] < generation.MAX_AGE:
            return HttpResponse(kept[0], content_type=JSONRenderer.media_type)
        response = super().list(request, *args, **kwargs)
        if len(_pages) >= _MAX_PAGES:
            _pages.clear()
        _pages[key] = (JSONRenderer().render(response.data), time.monotonic())
        return response

    def perform_create(self, serializer):
        serializer.instance = services.monitor_create(
            organization=self.request.auth.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.monitor_update(monitor=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.monitor_delete(monitor=instance)

    @extend_schema(
        summary="A monitor's check results",
        description="Raw check results, newest first; kept for the retention period "
        "(CHECK_RESULT_RETENTION_DAYS, 14 days by default).",
        responses=CheckResultSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="checks",
        serializer_class=CheckResultSerializer,
        filterset_class=CheckResultFilterSet,
        list_columns=CHECK_RESULT_COLUMNS,
    )
    def checks(self, request, pk=None):
        results = CheckResult.objects.filter(monitor_id=self.get_object().pk).order_by("-scheduled_at")
        page = self.paginate_queryset(self.filter_queryset(results))
        return self.get_paginated_response(CheckResultSerializer(page, many=True).data)

    @extend_schema(
        summary="A monitor's uptime",
        description="Uptime, checks, DOWN checks and response times over the last 24 hours, 7, 30 and 90 "
        "days, from the hourly (24h, 7d) and daily (30d, 90d) rollups of the slots' verdicts; and what each of "
        "its regions saw over 24 hours and 7 days. Checks during maintenance are left out.",
        responses=MonitorUptimeSerializer,
    )
    @action(detail=True, methods=["get"], url_path="uptime", serializer_class=MonitorUptimeSerializer)
    def uptime(self, request, pk=None):
        monitor = self.get_object()
        summary = {
            "monitor_id": monitor.pk,
            "windows": selectors.monitor_uptime_summary(monitor.pk),
            "regions": selectors.region_uptime(monitor),
        }
        return Response(MonitorUptimeSerializer(summary).data)
