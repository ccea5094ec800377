"""POST /api/monitors/{id}/acknowledge: a write key acknowledges a DOWN monitor's outage."""

import pytest
from django.utils import timezone

from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message", "details"}
    return error


@pytest.fixture
def down(org):
    return MonitorFactory(organization=org, status=Monitor.Status.DOWN, name="Shop")


def test_acknowledging_a_down_monitor_sets_when_and_by_which_key(writer, down):
    before = timezone.now().replace(microsecond=0)

    response = writer.post(f"/api/monitors/{down.id}/acknowledge")

    assert response.status_code == 200, response.content
    down.refresh_from_db()
    assert down.acknowledged_at >= before
    assert down.acknowledged_by == "API key write key"
    assert response.json() == {
        "monitor": {
            "id": down.id,
            "status": "DOWN",
            "acknowledgedAt": down.acknowledged_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "acknowledgedBy": "API key write key",
        }
    }


def test_acknowledging_again_keeps_the_first_time_and_name(writer, admin, down):
    first = writer.post(f"/api/monitors/{down.id}/acknowledge").json()["monitor"]

    again = admin.post(f"/api/monitors/{down.id}/acknowledge")

    assert again.status_code == 200
    assert again.json()["monitor"] == first
    down.refresh_from_db()
    assert down.acknowledged_by == "API key write key"


@pytest.mark.parametrize("status", ["UP", "PENDING", "DEGRADED", "PAUSED"])
def test_a_monitor_that_is_not_down_is_400_and_unchanged(writer, org, status):
    monitor = MonitorFactory(organization=org, status=status, name="Shop")

    response = writer.post(f"/api/monitors/{monitor.id}/acknowledge")

    error = assert_error(response, 400, "invalid_request")
    assert error["message"] == f"Shop is {status}, not DOWN: there is nothing to acknowledge."
    monitor.refresh_from_db()
    assert (monitor.acknowledged_at, monitor.acknowledged_by) == (None, "")


def test_a_read_key_is_403_and_acknowledges_nothing(reader, down):
    assert_error(reader.post(f"/api/monitors/{down.id}/acknowledge"), 403, "forbidden")
    down.refresh_from_db()
    assert down.acknowledged_at is None


def test_another_organizations_monitor_is_404_and_unchanged(outsider, down):
    assert_error(outsider.post(f"/api/monitors/{down.id}/acknowledge"), 404, "not_found")
    down.refresh_from_db()
    assert down.acknowledged_at is None


@pytest.mark.parametrize("monitor_id", ["mon_doesnotexist0000000000", "not-an-id"])
def test_an_unknown_monitor_is_404(writer, monitor_id):
    assert_error(writer.post(f"/api/monitors/{monitor_id}/acknowledge"), 404, "not_found")


def test_get_is_405(writer, down):
    assert_error(writer.get(f"/api/monitors/{down.id}/acknowledge"), 405, "method_not_allowed")


def test_no_key_is_401(client, down):
    assert_error(client.post(f"/api/monitors/{down.id}/acknowledge"), 401, "unauthorized")
