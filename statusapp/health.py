"""`/healthz`: 200 when the database and the broker answer, 503 otherwise; and which
check regions are alive (a silent region does not make this process unhealthy: the
other regions go on checking without it)."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from monitors import regions
from statusapp.api.fields import isoformat

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as exc:
        logger.warning("healthz: database unavailable: %s", type(exc).__name__)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception as exc:
        logger.warning("healthz: broker unavailable: %s", type(exc).__name__)
        return False


@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    if checks["database"]:
        body["regions"] = {
            region["name"]: {
                "status": "ok" if region["alive"] else "silent",
                "lastReportAt": isoformat(region["last_report_at"]),
            }
            for region in regions.health()
        }
    return JsonResponse(body, status=200 if healthy else 503)
