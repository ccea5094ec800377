"""A monitor's badges, by its public badge token: /badge/<token>/status.svg, uptime.svg
(?period=24h|7d|30d|90d, 30d by default), response.svg, and shields.json
(?type=status|uptime|response) for shields.io's endpoint badge. They show that one
monitor's status, uptime or response time, and nothing else about it."""

import re

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from monitors.models import Monitor
from monitors.selectors import uptime_by_monitor

from . import badges

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{10,32}\Z")
MAX_AGE = 60


def _monitor(token: str) -> Monitor | None:
    if not TOKEN_RE.match(token):
        return None
    return Monitor.objects.filter(badge_token=token).only("id", "status", "response_time").first()


def _respond(body: bytes, content_type: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _parts(monitor: Monitor, kind: str, period: str) -> tuple[str, str, str]:
    if kind == "status":
        return badges.status_parts(monitor.status)
    if kind == "uptime":
        return badges.uptime_parts(uptime_by_monitor([monitor.id], window=period)[monitor.id], period)
    return badges.response_parts(monitor.response_time if monitor.status != Monitor.Status.PAUSED else None)


@require_GET
def badge(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    monitor = _monitor(token)
    if monitor is None:
        return _respond(badges.svg("status", "not found", "#9f9f9f"), "image/svg+xml", status=404)
    try:
        period = badges.parse_period(request.GET.get("period"))
    except ValueError:
        return _respond(badges.svg("uptime", "bad period", "#9f9f9f"), "image/svg+xml", status=400)
    return _respond(badges.svg(*_parts(monitor, kind, period)), "image/svg+xml")


@require_GET
def shields(request: HttpRequest, token: str) -> HttpResponse:
    monitor = _monitor(token)
    kind = request.GET.get("type", "status")
    if monitor is None or kind not in ("status", "uptime", "response"):
        message = "not found" if monitor is None else "type must be status, uptime or response"
        return _respond(orjson.dumps(badges.shields_endpoint("status", message, "lightgrey")), "application/json", 404)
    try:
        period = badges.parse_period(request.GET.get("period"))
    except ValueError:
        bad = badges.shields_endpoint("uptime", "bad period", "lightgrey")
        return _respond(orjson.dumps(bad), "application/json", 400)
    return _respond(orjson.dumps(badges.shields_endpoint(*_parts(monitor, kind, period))), "application/json")
