"""Dashboard pages for webhook endpoints (admins only: they carry signing secrets and
their delivery logs show what receivers answered).

The create and edit forms are validated by the API's serializer (the same rules and the
same messages, the URL guard's included) and saved by the same services as the API, as
are "Send test", "Rotate secret" and "Redeliver". A secret is shown once, in the answer
to the POST that made it, never stored in the session, a message or a URL.

Delivery logs refresh themselves while a delivery in them is pending: the table polls its
own rows (htmx) every 2 s, and stops once every row has its outcome.
"""

import json
from urllib.parse import urlencode

import orjson
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from accounts.dashboard import dashboard_view, error_text, field_errors
from accounts.models import Membership
from statusapp.api.exceptions import PlanLimitReached

from . import services
from .api.serializers import WebhookEndpointSerializer
from .models import TEST_EVENT, Delivery, DeliveryAttempt, EventType, WebhookEndpoint

ADMIN = Membership.Role.ADMIN
PAGE_SIZE = 50
RECENT_DELIVERIES = 5
EVENT_LABELS = dict(EventType.choices) | {TEST_EVENT: "Test"}
# The badge colours the stylesheet has, by delivery status.
DELIVERY_BADGES = {
    Delivery.Status.DELIVERED: "UP",
    Delivery.Status.FAILED: "DOWN",
    Delivery.Status.PENDING: "PENDING",
    Delivery.Status.CANCELLED: "PAUSED",
}


def _endpoint(request, endpoint_id: str) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=endpoint_id, organization=request.organization)


def _event_labels(values: list[str]) -> list[str]:
    return [EVENT_LABELS.get(value, value) for value in values]


def _deliveries(endpoint: WebhookEndpoint):
    """The endpoint's deliveries newest first, with their event (type and body), how many
    attempts the log holds and what the last one got, in one query whatever their number."""
    attempts = DeliveryAttempt.objects.filter(delivery=OuterRef("pk"))
    last = attempts.order_by("-attempted_at", "-id")
    counted = attempts.order_by().values("delivery").annotate(n=Count("id")).values("n")
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .annotate(
            event_type=F("event__type"),
            event_body=F("event__body"),
            logged_attempts=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
            last_status_code=Subquery(last.values("status_code")[:1]),
            last_error=Subquery(last.values("error")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def event_subject(event_type: str, body: str) -> str:
    """What the event is about, as its payload names it: the monitor, else the incident."""
    if event_type == TEST_EVENT:
        return "Test event"
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    for key, name in (("monitor", "name"), ("incident", "title")):
        about = payload.get(key)
        if isinstance(about, dict) and about.get(name):
            return str(about[name])
    return ""


def _with_badges(deliveries) -> list[Delivery]:
    deliveries = list(deliveries)
    for delivery in deliveries:
        delivery.badge = DELIVERY_BADGES.get(delivery.status, "")
        delivery.event_label = EVENT_LABELS.get(delivery.event_type, delivery.event_type)
        delivery.subject = event_subject(delivery.event_type, delivery.event_body)
    return deliveries


def _log(deliveries: list[Delivery], rows_url: str) -> dict:
    """The delivery table's context: it polls `rows_url` while any of its rows is pending."""
    return {
        "deliveries": deliveries,
        "rows_url": rows_url,
        "polling": any(delivery.status == Delivery.Status.PENDING for delivery in deliveries),
    }


def _recent_log(endpoint: WebhookEndpoint) -> dict:
    deliveries = _with_badges(_deliveries(endpoint)[:RECENT_DELIVERIES])
    return _log(deliveries, reverse("webhooks:delivery-rows", args=[endpoint.id]) + "?recent=1")


def _filtered_log(request, endpoint: WebhookEndpoint) -> dict:
    """A page of the endpoint's deliveries, filtered by status as the request asks."""
    deliveries = _deliveries(endpoint)
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    else:
        status = ""
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"status": status, "page": page.number} if status else {"page": page.number})
    rows_url = f"{reverse('webhooks:delivery-rows', args=[endpoint.id])}?{query}"
    return {"page": page, "status": status, **_log(_with_badges(page.object_list), rows_url)}


def _secret_page(request, endpoint: WebhookEndpoint, *, rotated: bool):
    context = {
        "section": "webhooks",
        "title": "Signing secret rotated" if rotated else "Webhook endpoint created",
        "endpoint": endpoint,
        "secret": endpoint.secret,
        "rotated": rotated,
    }
    response = render(request, "webhooks/secret.html", context)
    add_never_cache_headers(response)  # no copy of the secret in any cache, the browser's included
    return response


# --- endpoints ---


@dashboard_view(ADMIN)
def endpoint_list(request):
    endpoints = WebhookEndpoint.objects.filter(organization=request.organization).order_by("-created_at", "id")
    page = Paginator(endpoints, PAGE_SIZE).get_page(request.GET.get("page"))
    for endpoint in page.object_list:
        endpoint.event_labels = _event_labels(endpoint.events)
    context = {
        "section": "webhooks",
        "title": "Webhooks",
        "page": page,
        "endpoints": page.object_list,
        "limit": request.organization.limits.webhooks,
        "count": page.paginator.count,
    }
    return render(request, "webhooks/list.html", context)


def _api_data(post) -> dict:
    """The form as the API's body: every field of the form, always (an edit sends them all)."""
    return {
        "url": post.get("url", "").strip(),
        "description": post.get("description", "").strip(),
        "events": post.getlist("events"),
        "enabled": "enabled" in post,
    }


def _form_values(endpoint: WebhookEndpoint | None, post=None) -> dict:
    if post is not None:
        return _api_data(post)
    if endpoint is None:
        return {"url": "", "description": "", "events": list(EventType.values), "enabled": True}
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
    }


def _form(request, endpoint: WebhookEndpoint | None):
    errors: dict[str, str] = {}
    if request.method == "POST":
        serializer = WebhookEndpointSerializer(endpoint, data=_api_data(request.POST), partial=endpoint is not None)
        if serializer.is_valid():
            try:
                if endpoint is None:
                    created = services.webhook_endpoint_create(
                        organization=request.organization, **serializer.validated_data
                    )
                    return _secret_page(request, created, rotated=False)
                services.webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
                messages.success(request, f"Webhook endpoint {endpoint.url} saved.")
                return redirect("webhooks:detail", endpoint.id)
            except PlanLimitReached as exc:
                errors = {"nonFieldErrors": str(exc.detail)}
        else:
            errors = field_errors(serializer.errors)
    context = {
        "section": "webhooks",
        "title": "New webhook endpoint" if endpoint is None else "Edit webhook endpoint",
        "endpoint": endpoint,
        "values": _form_values(endpoint, request.POST if request.method == "POST" else None),
        "errors": errors,
        "event_types": EventType.choices,
    }
    return render(request, "webhooks/form.html", context, status=400 if errors else 200)


@dashboard_view(ADMIN)
def endpoint_create(request):
    return _form(request, None)


@dashboard_view(ADMIN)
def endpoint_edit(request, endpoint_id: str):
    return _form(request, _endpoint(request, endpoint_id))


@dashboard_view(ADMIN)
def endpoint_detail(request, endpoint_id: str):
    endpoint = _endpoint(request, endpoint_id)
    context = {
        "section": "webhooks",
        "title": endpoint.url,
        "endpoint": endpoint,
        "event_labels": _event_labels(endpoint.events),
        **_recent_log(endpoint),
        "more_deliveries": Delivery.objects.filter(endpoint=endpoint)[RECENT_DELIVERIES:].exists(),
        "previous_secret_signs": endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > timezone.now(),
    }
    return render(request, "webhooks/detail.html", context)


@dashboard_view(ADMIN)
def endpoint_delete(request, endpoint_id: str):
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        services.webhook_endpoint_delete(endpoint=endpoint)
        messages.success(request, f"Webhook endpoint {endpoint.url} deleted.")
        return redirect("webhooks:list")
    context = {"section": "webhooks", "title": "Delete webhook endpoint", "endpoint": endpoint}
    return render(request, "webhooks/confirm_delete.html", context)


@require_POST
@dashboard_view(ADMIN)
def endpoint_rotate_secret(request, endpoint_id: str):
    endpoint = services.webhook_secret_rotate(endpoint=_endpoint(request, endpoint_id))
    return _secret_page(request, endpoint, rotated=True)


@require_POST
@dashboard_view(ADMIN)
def endpoint_send_test(request, endpoint_id: str):
    """From the endpoint's page (htmx) the answer is its refreshed log, the new delivery on
    top; without JavaScript, the new delivery's page."""
    endpoint = _endpoint(request, endpoint_id)
    try:
        delivery = services.webhook_send_test(endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, error_text(exc.detail))
        return redirect("webhooks:detail", endpoint.id)
    if request.headers.get("HX-Request"):
        context = {"endpoint": endpoint, **_recent_log(endpoint)}
        return render(request, "webhooks/_deliveries_table.html", context)
    messages.success(request, "Test event sent.")
    return redirect("webhooks:delivery", endpoint.id, delivery.id)


# --- deliveries ---


@dashboard_view(ADMIN)
def delivery_list(request, endpoint_id: str):
    endpoint = _endpoint(request, endpoint_id)
    context = {
        "section": "webhooks",
        "title": "Deliveries",
        "endpoint": endpoint,
        "statuses": Delivery.Status.choices,
        **_filtered_log(request, endpoint),
    }
    return render(request, "webhooks/deliveries.html", context)


@dashboard_view(ADMIN)
def delivery_rows(request, endpoint_id: str):
    """The delivery table alone, as the endpoint's page (`recent`) or the deliveries page
    (`status`, `page`) shows it: what those pages poll."""
    endpoint = _endpoint(request, endpoint_id)
    log = _recent_log(endpoint) if request.GET.get("recent") else _filtered_log(request, endpoint)
    return render(request, "webhooks/_deliveries_table.html", {"endpoint": endpoint, **log})


def _delivery(endpoint: WebhookEndpoint, delivery_id: str) -> Delivery:
    """A delivery of this endpoint; another endpoint's is a 404."""
    return get_object_or_404(
        Delivery.objects.filter(endpoint=endpoint).annotate(event_type=F("event__type"), event_body=F("event__body")),
        pk=delivery_id,
    )


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


@dashboard_view(ADMIN)
def delivery_detail(request, endpoint_id: str, delivery_id: str):
    endpoint = _endpoint(request, endpoint_id)
    delivery = _delivery(endpoint, delivery_id)
    (delivery,) = _with_badges([delivery])
    context = {
        "section": "webhooks",
        "title": "Delivery",
        "endpoint": endpoint,
        "delivery": delivery,
        "attempts": delivery.attempt_log.order_by("-attempted_at", "-id"),
        "payload": _pretty(delivery.event_body),
    }
    return render(request, "webhooks/delivery.html", context)


@require_POST
@dashboard_view(ADMIN)
def delivery_redeliver(request, endpoint_id: str, delivery_id: str):
    endpoint = _endpoint(request, endpoint_id)
    delivery = _delivery(endpoint, delivery_id)
    delivery.endpoint = endpoint
    try:
        services.delivery_redeliver(delivery=delivery)
    except ValidationError as exc:
        messages.error(request, error_text(exc.detail))
    else:
        messages.success(request, "Delivery queued to be sent again.")
    return redirect("webhooks:delivery", endpoint.id, delivery.id)
