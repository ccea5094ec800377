"""The error envelope: every API error is `{"error": {"code", "message", "details"}}`."""

import math
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}


def error_body(status_code: int, message: str, details: str = "", **extra) -> dict:
    code = CODES.get(status_code, "error")
    return {"error": {"code": code, "message": message, "details": details, **extra}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field" or "field.sub": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "nonFieldErrors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            if item:
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "nonFieldErrors": [str(detail)]}


def _field_label(field: str) -> str:
    head = field.split(".")[0]
    return head.upper() if head in {"url", "id"} else head


def _validation_error(exc: exceptions.ValidationError, view) -> tuple[str, str, dict]:
    fields = _flatten(exc.detail)
    first_field, messages = next(iter(fields.items()))
    noun = ""
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is not None:
        noun = f"{model._meta.verbose_name} "
    if first_field == "nonFieldErrors":
        message = f"Invalid {noun}request".replace("  ", " ")
    else:
        message = f"Invalid {noun}{_field_label(first_field)}"
    return message, messages[0], fields


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))

    if isinstance(exc, exceptions.ValidationError):
        message, details, fields = _validation_error(exc, context.get("view"))
        body = error_body(400, message, details, fields=fields)
        status_code = 400
    else:
        status_code = exc.status_code
        if isinstance(exc, exceptions.Throttled):
            # The plan's throttle raises DRF's default detail; the others (invalid API keys
            # from one address) say what happened, and DRF adds when to retry.
            plan = str(exc.detail).startswith(str(exceptions.Throttled.default_detail))
            message = "Rate limit exceeded"
            details = "Hourly request limit for your plan reached" if plan else str(exc.detail)
        else:
            message, details = str(exc.detail), ""
        body = error_body(status_code, message, details)

    set_rollback()
    return Response(body, status=status_code, headers=headers)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception=None):
    return JsonResponse(error_body(400, "Bad request"), status=400)


def handler404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body(404, "Not found"), status=404)
    if request.path_info.startswith("/status/"):  # a status page's visitors get its own look
        return render(request, "statuspages/not_found.html", {"message": "There is nothing here."}, status=404)
    # `section` set: the layout reads it, and a missing variable is logged with the whole context.
    context = {"title": "Page not found", "section": "", "request_path": request.path}
    return render(request, "404.html", context, status=404)


# How long a client should wait before retrying while the database is unreachable.
RETRY_AFTER_OUTAGE = 5


def _database_unavailable(request):
    if _is_api(request):
        body = error_body(503, "Service unavailable", "The database is unreachable; retry shortly")
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(
            "Service unavailable: the database is unreachable; retry shortly.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    return response


def handler500(request):
    # Django calls this inside its `except`, so the exception is still at hand: an
    # unreachable database is an outage to wait out (503), not a bug (500).
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return _database_unavailable(request)
    if _is_api(request):
        return JsonResponse(error_body(500, "Internal server error"), status=500)
    # The layout's context processors read no more than they can (accounts.context_processors):
    # the page renders even if the database went away with the request.
    return render(request, "500.html", {"title": "Something went wrong", "section": ""}, status=500)
