"""Targets written as refused addresses are a clear 400 at the API; names are judged at connect time."""

import pytest

from monitors.models import Monitor
from webhooks.models import WebhookEndpoint


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"type": "http", "url": "http://127.0.0.1:8080/health"}, "url", "127.0.0.1 is loopback"),
        ({"type": "http", "url": "http://10.1.2.3/"}, "url", "10.1.2.3 is private"),
        ({"type": "keyword", "url": "http://[::1]/", "keyword": "ok"}, "url", "::1 is loopback"),
        ({"type": "ssl", "url": "https://169.254.169.254/"}, "url", "cloud metadata"),
        ({"type": "tcp", "host": "192.168.0.10", "port": 22}, "host", "192.168.0.10 is private"),
        ({"type": "tcp", "host": "::ffff:127.0.0.1", "port": 22}, "host", "loopback"),
        ({"type": "dns", "host": "example.com", "recordType": "A", "resolver": "127.0.0.53"}, "resolver", "loopback"),
    ],
)
def test_a_target_written_as_a_refused_address_is_a_400(admin, body, field, reason):
    response = admin.post("/api/monitors", {"name": "x", **body}, format="json")
    assert response.status_code == 400
    assert reason in response.json()["error"]["fields"][field][0]
    assert not Monitor.objects.exists()


def test_a_refused_private_address_names_the_setting_that_allows_it(admin):
    response = admin.post("/api/monitors", {"name": "x", "type": "http", "url": "http://127.0.0.1/"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["url"] == [
        "Address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses."
    ]
    metadata = {"name": "x", "type": "http", "url": "http://169.254.169.254/"}
    refused = admin.post("/api/monitors", metadata, format="json").json()["error"]["fields"]["url"][0]
    assert refused == "Address not allowed: 169.254.169.254 is cloud metadata."
    assert not Monitor.objects.exists()


def test_private_targets_are_accepted_when_the_install_allows_them(admin, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    response = admin.post(
        "/api/monitors", {"name": "x", "type": "tcp", "host": "10.0.0.5", "port": 5432}, format="json"
    )
    assert response.status_code == 201
    assert Monitor.objects.get().host == "10.0.0.5"


def test_metadata_stays_refused_when_private_targets_are_allowed(admin, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    body = {"name": "x", "type": "http", "url": "http://169.254.169.254/latest/meta-data/"}
    response = admin.post("/api/monitors", body, format="json")
    assert response.status_code == 400
    assert "cloud metadata" in response.json()["error"]["fields"]["url"][0]


def test_a_host_name_is_left_to_the_connect_time_guard(admin):
    response = admin.post("/api/monitors", {"name": "x", "type": "http", "url": "http://localhost/"}, format="json")
    assert response.status_code == 201  # refused when checked: the name is resolved at connect time


def test_a_webhook_url_written_as_a_private_address_is_a_400(admin):
    response = admin.post("/api/webhooks", {"url": "http://192.168.1.10/hook"}, format="json")
    assert response.status_code == 400
    assert "192.168.1.10 is private" in response.json()["error"]["fields"]["url"][0]
    assert not WebhookEndpoint.objects.exists()
