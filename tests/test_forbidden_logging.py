"""A refused request (403) is logged as one line, without a traceback: refusals are routine, and a traceback
per 403 floods the log and buries real faults. API and dashboard alike."""

import logging

import pytest

from accounts.plans import PLAN_LIMITS, Plan

from .factories import MonitorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("django.")]


def assert_one_line(caplog, path: str) -> None:
    records = request_records(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    assert (record.levelno, record.status_code) == (logging.WARNING, 403)
    assert record.getMessage().endswith(f": {path}")
    assert record.exc_info is None and not record.exc_text
    assert "Traceback" not in caplog.text


def test_dashboard_403_is_one_line_without_traceback(client, person, org, caplog):
    person(org, "viewer", client)

    with caplog.at_level(logging.INFO):
        response = client.post("/monitors/new", {"name": "X", "type": "http", "url": "https://e.com"})

    assert response.status_code == 403
    assert_one_line(caplog, "/monitors/new")


@pytest.mark.parametrize("role", ["viewer", "member"])
def test_dashboard_403s_of_other_pages_are_one_line_too(client, person, org, caplog, role):
    person(org, role, client)
    monitor = MonitorFactory(organization=org)
    path = "/api-keys/new" if role == "member" else f"/monitors/{monitor.id}/delete"

    with caplog.at_level(logging.INFO):
        response = client.post(path, {})

    assert response.status_code == 403
    assert_one_line(caplog, path)


def test_api_403_for_a_read_key_is_one_line_without_traceback(make_client, caplog):
    reader = make_client(permission="read")

    with caplog.at_level(logging.INFO):
        response = reader.post("/api/monitors", {"name": "X", "type": "http", "url": "https://e.com"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert_one_line(caplog, "/api/monitors")


def test_api_plan_limit_403_is_one_line_without_traceback(make_client, caplog):
    organization = OrganizationFactory(plan=Plan.FREE)
    admin = make_client(organization, "admin")
    MonitorFactory.create_batch(PLAN_LIMITS[Plan.FREE].monitors, organization=organization)

    with caplog.at_level(logging.INFO):
        response = admin.post("/api/monitors", {"name": "X", "type": "http", "url": "https://e.com"}, format="json")

    assert response.status_code == 403
    assert_one_line(caplog, "/api/monitors")
