"""Python client of the StatusApp API.

import statusapp

client = statusapp.Client()  # $STATUSAPP_API_KEY, $STATUSAPP_BASE_URL
for monitor in client.monitors.iter(status="DOWN"):
    print(monitor.name, monitor.last_check)
"""

from ._version import __version__
from .client import Client
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    StatusAppError,
    ValidationError,
    WebhookVerificationError,
)
from .models import (
    AcknowledgedMonitor,
    Acknowledgement,
    AlertChannel,
    AlertDelivery,
    ApiKey,
    CheckResult,
    Component,
    CustomDomainCheck,
    Delivery,
    DeliveryAttempt,
    EscalationStep,
    Event,
    Incident,
    IncidentUpdate,
    Maintenance,
    Model,
    Monitor,
    MonitorUptime,
    Page,
    Pagination,
    StatusPage,
    StatusPageGroup,
    Subscriber,
    UptimeWindow,
    WebhookEndpoint,
)
from .webhooks import Webhook, verify_signature

__all__ = [
    "APIConnectionError",
    "APIError",
    "AcknowledgedMonitor",
    "Acknowledgement",
    "AlertChannel",
    "AlertDelivery",
    "ApiKey",
    "AuthenticationError",
    "CheckResult",
    "Client",
    "Component",
    "CustomDomainCheck",
    "Delivery",
    "DeliveryAttempt",
    "EscalationStep",
    "Event",
    "Incident",
    "IncidentUpdate",
    "Maintenance",
    "Model",
    "Monitor",
    "MonitorUptime",
    "NotFoundError",
    "Page",
    "Pagination",
    "PermissionDeniedError",
    "RateLimitError",
    "StatusAppError",
    "StatusPage",
    "StatusPageGroup",
    "Subscriber",
    "UptimeWindow",
    "ValidationError",
    "Webhook",
    "WebhookEndpoint",
    "WebhookVerificationError",
    "__version__",
    "verify_signature",
]
