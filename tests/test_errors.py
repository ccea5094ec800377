"""Under /api/ every error is the JSON envelope, an unexpected one included; an unreachable
database is a 503 to retry, not a 500."""

import pytest
from django.db import OperationalError, ProgrammingError, connection

from monitors import services


@pytest.fixture
def crashing_create(monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "monitor_create", crash)


def test_an_unexpected_error_is_a_json_500_without_details(admin, crashing_create):
    admin.raise_request_exception = False
    body = {"name": "x", "type": "http", "url": "https://example.com/"}
    response = admin.post("/api/monitors", body, format="json")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "server_error", "message": "Internal server error", "details": ""}}
    assert "boom" not in response.content.decode()


def test_an_unknown_api_path_is_a_json_404(admin):
    response = admin.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_outside_the_api_errors_stay_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@pytest.fixture
def database_down():
    """Every query fails as it does while PostgreSQL restarts."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


def test_an_unreachable_database_is_a_json_503_with_retry_after(admin, database_down):
    admin.raise_request_exception = False
    response = admin.get("/api/incidents")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": "Service unavailable",
            "details": "The database is unreachable; retry shortly",
        }
    }
    assert "5432" not in response.content.decode()


def test_an_unreachable_database_is_a_plain_503_outside_the_api(db, client, database_down):
    client.raise_request_exception = False
    response = client.get("/status/anything/")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Retry-After"] == "5"


def test_other_database_errors_are_still_500(admin, monkeypatch):
    def broken(**kwargs):
        raise ProgrammingError("relation does not exist")

    monkeypatch.setattr(services, "monitor_create", broken)
    admin.raise_request_exception = False
    response = admin.post("/api/monitors", {"name": "x", "type": "http", "url": "https://example.com/"}, format="json")
    assert response.status_code == 500
