"""Under /api/ every error is the JSON envelope, an unexpected one included."""

import pytest

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
