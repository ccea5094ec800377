"""The /api/monitors endpoints: the seed's examples, per-type fields, validation, filters,
pagination, organization isolation and the plan's monitor limit."""

import json

import pytest

from accounts.plans import Plan
from monitors.models import Monitor

from .factories import MonitorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SEED_CREATE = {
    "name": "API Health Check",
    "type": "http",
    "url": "https://api.example.com/health",
    "interval": 60,
    "timeout": 10,
}


def create(client, body):
    return client.post("/api/monitors", body, format="json")


def tcp_monitor(organization) -> Monitor:
    return MonitorFactory(organization=organization, type=Monitor.Type.TCP, url="", host="db.example.com", port=5432)


def assert_invalid(response, field: str) -> dict:
    """A 400 `invalid_request` whose `fields` name `field`; returns the error object."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in error["fields"], error
    return error


# --- The seed's examples -------------------------------------------------------------


def test_seed_create_example_returns_201_with_the_sent_values(admin):
    response = create(admin, SEED_CREATE)

    assert response.status_code == 201, response.content
    body = response.json()
    for key, value in SEED_CREATE.items():
        assert body[key] == value
    assert body["id"].startswith("mon_")
    assert body["status"] == "PENDING"
    assert body["createdAt"].endswith("Z")
    stored = Monitor.objects.get(id=body["id"])
    assert stored.organization == admin.organization
    assert (stored.name, stored.type, stored.url, stored.interval, stored.timeout) == (
        "API Health Check",
        "http",
        "https://api.example.com/health",
        60,
        10,
    )


def test_seed_list_example_lists_the_created_monitor(admin):
    created = create(admin, SEED_CREATE).json()

    response = admin.get("/api/monitors")

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["data"]] == [created["id"]]
    assert body["data"][0]["name"] == "API Health Check"
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}


def test_seed_get_example_returns_the_monitor(admin):
    created = create(admin, SEED_CREATE).json()

    response = admin.get(f"/api/monitors/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_monitor_is_404(admin):
    response = admin.get("/api/monitors/mon_doesnotexist")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_seed_update_example_renames_and_pauses(admin):
    created = create(admin, SEED_CREATE).json()

    response = admin.put(f"/api/monitors/{created['id']}", {"name": "Updated Name", "status": "PAUSED"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Updated Name"
    assert response.json()["status"] == "PAUSED"
    stored = Monitor.objects.get(id=created["id"])
    assert stored.name == "Updated Name"
    assert stored.status == Monitor.Status.PAUSED


def test_put_status_active_resumes_a_paused_monitor_as_pending(admin):
    monitor = MonitorFactory(organization=admin.organization, status=Monitor.Status.PAUSED)

    response = admin.put(f"/api/monitors/{monitor.id}", {"status": "ACTIVE"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "PENDING"
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.PENDING
    assert monitor.next_check_at is not None


def test_seed_delete_example_returns_204_then_404_and_removes_the_row(admin):
    created = create(admin, SEED_CREATE).json()

    response = admin.delete(f"/api/monitors/{created['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Monitor.objects.filter(id=created["id"]).exists()
    assert admin.get(f"/api/monitors/{created['id']}").status_code == 404
    assert admin.delete(f"/api/monitors/{created['id']}").status_code == 404


def test_javascript_example_without_timeout_is_created_with_a_default_timeout(admin):
    body = {"name": "Website Check", "type": "http", "url": "https://example.com", "interval": 60}

    response = create(admin, body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "Website Check"
    assert data["url"] == "https://example.com"
    assert data["interval"] == 60
    assert isinstance(data["timeout"], int)
    assert 1 <= data["timeout"] < 60
    assert Monitor.objects.get(id=data["id"]).timeout == data["timeout"]


def test_bulk_example_loop_creates_one_monitor_per_url(admin):
    urls = ["https://api1.example.com", "https://api2.example.com"]
    for url in urls:
        response = create(admin, {"name": f"Monitor for {url}", "type": "http", "url": url, "interval": 60})
        assert response.status_code == 201, response.content

    stored = Monitor.objects.filter(organization=admin.organization)
    assert sorted(stored.values_list("url", flat=True)) == urls
    assert sorted(stored.values_list("name", flat=True)) == [f"Monitor for {url}" for url in urls]


# --- PUT is partial -------------------------------------------------------------------


def test_put_keeps_the_fields_it_does_not_send(admin):
    created = create(admin, {**SEED_CREATE, "interval": 120, "timeout": 20, "expectedStatusCodes": "200,204"}).json()

    response = admin.put(f"/api/monitors/{created['id']}", {"name": "Renamed"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Renamed"
    assert body["url"] == "https://api.example.com/health"
    assert (body["interval"], body["timeout"], body["expectedStatusCodes"]) == (120, 20, "200,204")
    assert body["status"] == "PENDING"
    stored = Monitor.objects.get(id=created["id"])
    assert (stored.name, stored.url, stored.interval, stored.timeout, stored.expected_status_codes) == (
        "Renamed",
        "https://api.example.com/health",
        120,
        20,
        "200,204",
    )


def test_put_with_an_invalid_value_changes_nothing(admin):
    monitor = MonitorFactory(organization=admin.organization, name="Keep", url="https://keep.example.com")

    response = admin.put(f"/api/monitors/{monitor.id}", {"name": "New", "url": "ftp://keep.example.com"}, format="json")

    assert_invalid(response, "url")
    monitor.refresh_from_db()
    assert (monitor.name, monitor.url) == ("Keep", "https://keep.example.com")


def test_put_interval_not_above_the_stored_timeout_is_400(admin):
    monitor = MonitorFactory(organization=admin.organization, interval=120, timeout=30)

    response = admin.put(f"/api/monitors/{monitor.id}", {"interval": 30}, format="json")

    assert_invalid(response, "timeout")
    monitor.refresh_from_db()
    assert monitor.interval == 120


# --- Fields by monitor type -----------------------------------------------------------


def test_tcp_monitor_with_host_and_port_is_created(admin):
    response = create(admin, {"name": "DB", "type": "tcp", "host": "db.example.com", "port": 5432})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["host"], body["port"]) == ("tcp", "db.example.com", 5432)
    assert "url" not in body
    stored = Monitor.objects.get(id=body["id"])
    assert (stored.host, stored.port) == ("db.example.com", 5432)


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"name": "DB", "type": "tcp", "port": 5432}, "host"),
        ({"name": "DB", "type": "tcp", "host": "db.example.com"}, "port"),
        ({"name": "DNS", "type": "dns", "recordType": "A"}, "host"),
        ({"name": "DNS", "type": "dns", "host": "example.com"}, "recordType"),
        ({"name": "KW", "type": "keyword", "keyword": "OK"}, "url"),
        ({"name": "KW", "type": "keyword", "url": "https://example.com"}, "keyword"),
        ({"name": "Cert", "type": "ssl"}, "url"),
        ({"name": "Web", "type": "http"}, "url"),
        ({"type": "http", "url": "https://example.com"}, "name"),
        ({"name": "No type", "url": "https://example.com"}, "type"),
    ],
)
def test_missing_required_field_is_400_naming_it(admin, body, missing):
    response = create(admin, body)

    assert_invalid(response, missing)
    assert Monitor.objects.count() == 0


def test_dns_monitor_with_host_and_record_type_is_created(admin):
    response = create(
        admin, {"name": "DNS", "type": "dns", "host": "example.com", "recordType": "A", "expectedValues": ["1.2.3.4"]}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["host"], body["recordType"], body["expectedValues"]) == ("example.com", "A", ["1.2.3.4"])
    stored = Monitor.objects.get(id=body["id"])
    assert (stored.host, stored.record_type, stored.expected_values) == ("example.com", "A", ["1.2.3.4"])


def test_keyword_monitor_with_url_and_keyword_is_created(admin):
    response = create(admin, {"name": "KW", "type": "keyword", "url": "https://example.com", "keyword": "Welcome"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["url"], body["keyword"]) == ("https://example.com", "Welcome")
    assert Monitor.objects.get(id=body["id"]).keyword == "Welcome"


def test_ssl_monitor_with_url_is_created(admin):
    response = create(admin, {"name": "Cert", "type": "ssl", "url": "https://example.com"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "ssl"
    assert body["url"] == "https://example.com"
    assert Monitor.objects.get(id=body["id"]).url == "https://example.com"


def test_heartbeat_monitor_gets_a_ping_url(admin):
    response = create(admin, {"name": "Cron", "type": "heartbeat", "interval": 3600})

    assert response.status_code == 201, response.content
    body = response.json()
    assert "/ping/" in body["pingUrl"]
    stored = Monitor.objects.get(id=body["id"])
    assert stored.ping_token
    assert body["pingUrl"].endswith(f"/ping/{stored.ping_token}")


def test_heartbeat_ping_url_is_read_only(admin):
    monitor_id = create(admin, {"name": "Cron", "type": "heartbeat", "interval": 3600}).json()["id"]
    token = Monitor.objects.get(id=monitor_id).ping_token

    on_create = create(admin, {"name": "Cron 2", "type": "heartbeat", "pingUrl": "https://evil.example.com/ping/x"})
    on_update = admin.put(f"/api/monitors/{monitor_id}", {"pingUrl": "https://evil.example.com/ping/x"}, format="json")

    assert_invalid(on_create, "pingUrl")
    assert_invalid(on_update, "pingUrl")
    assert Monitor.objects.count() == 1
    assert Monitor.objects.get(id=monitor_id).ping_token == token


@pytest.mark.parametrize(
    ("body", "foreign"),
    [
        ({"name": "DB", "type": "tcp", "host": "db.example.com", "port": 5432, "url": "https://x.example.com"}, "url"),
        ({"name": "DB", "type": "tcp", "host": "db.example.com", "port": 5432, "recordType": "A"}, "recordType"),
        ({"name": "Web", "type": "http", "url": "https://example.com", "port": 443}, "port"),
        ({"name": "Web", "type": "http", "url": "https://example.com", "host": "example.com"}, "host"),
        ({"name": "DNS", "type": "dns", "host": "example.com", "recordType": "A", "url": "https://e.com"}, "url"),
        ({"name": "Cert", "type": "ssl", "url": "https://example.com", "keyword": "x"}, "keyword"),
        ({"name": "Cron", "type": "heartbeat", "url": "https://example.com"}, "url"),
    ],
)
def test_field_of_another_type_is_refused(admin, body, foreign):
    response = create(admin, body)

    error = assert_invalid(response, foreign)
    assert error["fields"][foreign] == [f"Not used by {body['type']} monitors."]
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"X-Probe": "a\r\nX-Injected: 1"}, "The value of 'X-Probe' must not contain control characters."),
        ({"X-Probe": "a\nb"}, "The value of 'X-Probe' must not contain control characters."),
        ({"X-Probe": "a\rb"}, "The value of 'X-Probe' must not contain control characters."),
        ({"X-Probe": "a\x1bb"}, "The value of 'X-Probe' must not contain control characters."),
        ({"X-Probe": "a\x7fb"}, "The value of 'X-Probe' must not contain control characters."),
        ({"X Probe": "a"}, "'X Probe' is not a valid header name."),
        ({"X-Probe:": "a"}, "'X-Probe:' is not a valid header name."),
        ({"X-Pröbe": "a"}, "'X-Pröbe' is not a valid header name."),
        ({"X-Probe\r\nX-Injected": "a"}, "'X-Probe\r\nX-Injected' is not a valid header name."),
    ],
)
def test_header_with_line_break_control_character_or_illegal_name_is_refused(admin, headers, message):
    body = {**SEED_CREATE, "headers": headers}

    on_create = create(admin, body)
    monitor = MonitorFactory(organization=admin.organization, request_headers={"X-Probe": "ok"})
    on_update = admin.put(f"/api/monitors/{monitor.id}", {"headers": headers}, format="json")

    assert assert_invalid(on_create, "headers")["fields"]["headers"] == [message]
    assert assert_invalid(on_update, "headers")["fields"]["headers"] == [message]
    assert Monitor.objects.count() == 1
    monitor.refresh_from_db()
    assert monitor.request_headers == {"X-Probe": "ok"}


def test_header_value_with_a_tab_is_accepted(admin):
    response = create(admin, {**SEED_CREATE, "headers": {"X-Probe": "a\tb"}})

    assert response.status_code == 201, response.content
    assert Monitor.objects.get().request_headers == {"X-Probe": "a\tb"}


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_url_port_outside_1_to_65535_is_refused(admin, port):
    body = {**SEED_CREATE, "url": f"https://api.example.com:{port}/health"}

    on_create = create(admin, body)
    monitor = MonitorFactory(organization=admin.organization, url="https://api.example.com/health")
    on_update = admin.put(f"/api/monitors/{monitor.id}", {"url": body["url"]}, format="json")

    for response in (on_create, on_update):
        assert assert_invalid(response, "url")["fields"]["url"] == ["The URL's port must be between 1 and 65535."]
    assert Monitor.objects.count() == 1
    monitor.refresh_from_db()
    assert monitor.url == "https://api.example.com/health"


@pytest.mark.parametrize(("port", "status"), [(0, 400), (65536, 400), (1, 201), (65535, 201)])
def test_tcp_port_must_be_1_to_65535(admin, port, status):
    response = create(admin, {"name": "DB", "type": "tcp", "host": "db.example.com", "port": port})

    assert response.status_code == status, response.content
    if status == 400:
        assert_invalid(response, "port")
    assert Monitor.objects.count() == (1 if status == 201 else 0)


def test_url_with_ports_at_the_ends_of_the_range_is_accepted(admin):
    for port in (1, 65535):
        response = create(admin, {**SEED_CREATE, "url": f"https://api.example.com:{port}/health"})
        assert response.status_code == 201, response.content
    assert Monitor.objects.count() == 2


def test_update_refuses_a_field_not_used_by_the_monitors_type(admin):
    monitor = tcp_monitor(admin.organization)

    response = admin.put(f"/api/monitors/{monitor.id}", {"url": "https://example.com"}, format="json")

    assert_invalid(response, "url")
    monitor.refresh_from_db()
    assert monitor.url == ""


# --- Validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "not a url",
        "https://",
        "http:///path",
        "https://exa mple.com",
        "https://example.com/a b",
    ],
)
def test_bad_url_is_400_with_the_seeds_error_example(admin, url):
    response = create(admin, {**SEED_CREATE, "url": url})

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"] == "Invalid monitor URL"
    assert error["details"] == "URL must be valid HTTP/HTTPS"
    assert error["fields"]["url"] == ["URL must be valid HTTP/HTTPS"]
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize("interval", [9, 1, 0, -60])
def test_interval_below_ten_seconds_is_400(admin, interval):
    response = create(admin, {**SEED_CREATE, "interval": interval, "timeout": 1})

    assert_invalid(response, "interval")
    assert Monitor.objects.count() == 0


def test_interval_of_ten_seconds_is_accepted(admin):
    response = create(admin, {**SEED_CREATE, "interval": 10, "timeout": 5})

    assert response.status_code == 201, response.content
    assert response.json()["interval"] == 10


@pytest.mark.parametrize(("interval", "timeout"), [(60, 60), (60, 61), (30, 100)])
def test_timeout_not_below_interval_is_400(admin, interval, timeout):
    response = create(admin, {**SEED_CREATE, "interval": interval, "timeout": timeout})

    assert_invalid(response, "timeout")
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize("codes", ["abc", "700", "300-200", "", "200-", "99"])
def test_bad_expected_status_codes_is_400(admin, codes):
    response = create(admin, {**SEED_CREATE, "expectedStatusCodes": codes})

    assert_invalid(response, "expectedStatusCodes")
    assert Monitor.objects.count() == 0


def test_good_expected_status_codes_are_stored(admin):
    response = create(admin, {**SEED_CREATE, "expectedStatusCodes": "200-299,301"})

    assert response.status_code == 201, response.content
    assert response.json()["expectedStatusCodes"] == "200-299,301"
    assert Monitor.objects.get(id=response.json()["id"]).expected_status_codes == "200-299,301"


@pytest.mark.parametrize("status", ["UP", "DOWN", "DEGRADED", "PENDING", "paused", "RUNNING", ""])
def test_status_other_than_paused_or_active_is_400_on_create(admin, status):
    response = create(admin, {**SEED_CREATE, "status": status})

    assert_invalid(response, "status")
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize("status", ["UP", "DOWN", "DEGRADED", "PENDING", "active"])
def test_status_other_than_paused_or_active_is_400_on_update(admin, status):
    monitor = MonitorFactory(organization=admin.organization, status=Monitor.Status.UP)

    response = admin.put(f"/api/monitors/{monitor.id}", {"status": status}, format="json")

    assert_invalid(response, "status")
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.UP


def test_create_with_status_paused_stores_a_paused_monitor(admin):
    response = create(admin, {**SEED_CREATE, "status": "PAUSED"})

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "PAUSED"
    assert Monitor.objects.get(id=response.json()["id"]).status == Monitor.Status.PAUSED


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("id", "mon_chosenbyclient", "This field is read-only."),
        ("createdAt", "2024-01-21T10:30:00Z", "This field is read-only."),
        ("lastCheck", "2024-01-21T10:29:58Z", "This field is read-only."),
        ("organization", "org_someoneelse", "Unknown field."),
    ],
)
def test_read_only_or_unknown_key_on_create_is_400_and_nothing_stored(admin, key, value, message):
    response = create(admin, {**SEED_CREATE, key: value})

    error = assert_invalid(response, key)
    assert error["fields"][key] == [message]
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "mon_chosenbyclient"),
        ("createdAt", "2024-01-21T10:30:00Z"),
        ("lastCheck", "2024-01-21T10:29:58Z"),
        ("organization", "org_someoneelse"),
    ],
)
def test_read_only_or_unknown_key_on_update_is_400_and_nothing_changes(admin, key, value):
    monitor = MonitorFactory(organization=admin.organization, name="Before")

    response = admin.put(f"/api/monitors/{monitor.id}", {"name": "After", key: value}, format="json")

    assert_invalid(response, key)
    assert Monitor.objects.count() == 1
    monitor.refresh_from_db()
    assert monitor.name == "Before"
    assert monitor.organization == admin.organization
    assert monitor.last_check_at is None


def test_create_with_curl_form_content_type_is_parsed_as_json(admin):
    response = admin.post(
        "/api/monitors", data=json.dumps(SEED_CREATE), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "API Health Check"


# --- Filters --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["UP", "DOWN", "DEGRADED"])
def test_status_filter_returns_only_monitors_in_that_status(admin, status):
    expected = {
        MonitorFactory(organization=admin.organization, status=status).id,
        MonitorFactory(organization=admin.organization, status=status).id,
    }
    for other in {"UP", "DOWN", "DEGRADED", "PENDING", "PAUSED"} - {status}:
        MonitorFactory(organization=admin.organization, status=other)

    response = admin.get("/api/monitors", {"status": status})

    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["data"]} == expected
    assert all(item["status"] == status for item in body["data"])
    assert body["pagination"]["total"] == 2


@pytest.mark.parametrize("category", ["http", "tcp"])
def test_category_filter_returns_only_monitors_of_that_type(admin, category):
    http = MonitorFactory(organization=admin.organization, type=Monitor.Type.HTTP)
    tcp = tcp_monitor(admin.organization)
    MonitorFactory(organization=admin.organization, type=Monitor.Type.SSL)

    response = admin.get("/api/monitors", {"category": category})

    assert response.status_code == 200
    expected = {"http": http.id, "tcp": tcp.id}[category]
    assert [item["id"] for item in response.json()["data"]] == [expected]
    assert response.json()["data"][0]["type"] == category


@pytest.mark.parametrize(("param", "value"), [("status", "BROKEN"), ("status", "ACTIVE"), ("category", "gopher")])
def test_invalid_filter_value_is_400(admin, param, value):
    MonitorFactory(organization=admin.organization)

    response = admin.get("/api/monitors", {param: value})

    assert_invalid(response, param)


# --- Pagination -----------------------------------------------------------------------


@pytest.fixture
def forty_five(admin):
    return {monitor.id for monitor in MonitorFactory.create_batch(45, organization=admin.organization)}


def test_list_defaults_to_limit_20_page_1(admin, forty_five):
    response = admin.get("/api/monitors")

    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]) == 20
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 45, "pages": 3}


def test_pages_cover_every_monitor_once(admin, forty_five):
    seen = []
    for page, size in [(1, 20), (2, 20), (3, 5)]:
        body = admin.get("/api/monitors", {"page": page}).json()
        assert body["pagination"] == {"page": page, "limit": 20, "total": 45, "pages": 3}
        assert len(body["data"]) == size
        seen.extend(item["id"] for item in body["data"])

    assert len(seen) == 45
    assert set(seen) == forty_five


def test_custom_limit_sets_page_count(admin, forty_five):
    body = admin.get("/api/monitors", {"limit": 10, "page": 5}).json()

    assert body["pagination"] == {"page": 5, "limit": 10, "total": 45, "pages": 5}
    assert len(body["data"]) == 5


@pytest.mark.parametrize("limit", ["101", "1000"])
def test_limit_above_100_is_served_as_100(admin, limit):
    MonitorFactory.create_batch(105, organization=admin.organization)

    response = admin.get("/api/monitors", {"limit": limit})

    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 100, "total": 105, "pages": 2}
    assert len(body["data"]) == 100


@pytest.mark.parametrize(
    ("param", "value"),
    [("limit", "0"), ("limit", "abc"), ("limit", "-5"), ("limit", ""), ("page", "0"), ("page", "1.5"), ("page", "x")],
)
def test_bad_limit_or_page_is_400(admin, param, value):
    MonitorFactory(organization=admin.organization)

    response = admin.get("/api/monitors", {param: value})

    assert_invalid(response, param)


def test_page_past_the_end_is_empty_with_the_right_total(admin, forty_five):
    response = admin.get("/api/monitors", {"page": 4})

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["pagination"] == {"page": 4, "limit": 20, "total": 45, "pages": 3}


@pytest.mark.parametrize(("page", "limit"), [(10**17, 100), (999_999_999_999_999_999, 100), (92233720368547759, 100)])
def test_page_beyond_what_the_database_can_offset_is_empty_not_a_500(admin, forty_five, page, limit):
    # page x limit went past a 64-bit OFFSET: "bigint out of range" (found by fuzzing).
    response = admin.get("/api/monitors", {"page": page, "limit": limit})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == []
    assert body["pagination"] == {"page": page, "limit": 100, "total": 45, "pages": 1}


def test_empty_list_has_zero_total_and_pages(admin):
    body = admin.get("/api/monitors").json()

    assert body == {"data": [], "pagination": {"page": 1, "limit": 20, "total": 0, "pages": 0}}


# --- Another organization -------------------------------------------------------------


def test_outsider_gets_404_reading_another_orgs_monitor(admin, outsider):
    monitor = MonitorFactory(organization=admin.organization)

    response = outsider.get(f"/api/monitors/{monitor.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_outsider_gets_404_updating_another_orgs_monitor_and_it_is_unchanged(admin, outsider):
    monitor = MonitorFactory(organization=admin.organization, name="Mine")

    response = outsider.put(f"/api/monitors/{monitor.id}", {"name": "Hijacked", "status": "PAUSED"}, format="json")

    assert response.status_code == 404
    monitor.refresh_from_db()
    assert monitor.name == "Mine"
    assert monitor.status == Monitor.Status.PENDING


def test_outsider_gets_404_deleting_another_orgs_monitor_and_it_remains(admin, outsider):
    monitor = MonitorFactory(organization=admin.organization)

    response = outsider.delete(f"/api/monitors/{monitor.id}")

    assert response.status_code == 404
    assert Monitor.objects.filter(id=monitor.id).exists()


def test_list_shows_only_the_callers_organization(admin, outsider):
    mine = MonitorFactory(organization=admin.organization)
    theirs = MonitorFactory(organization=outsider.organization)

    mine_listed = admin.get("/api/monitors").json()
    theirs_listed = outsider.get("/api/monitors").json()

    assert [item["id"] for item in mine_listed["data"]] == [mine.id]
    assert mine_listed["pagination"]["total"] == 1
    assert [item["id"] for item in theirs_listed["data"]] == [theirs.id]
    assert theirs_listed["pagination"]["total"] == 1


# --- Plan limit -----------------------------------------------------------------------


def test_free_plan_refuses_the_51st_monitor(make_client):
    free = OrganizationFactory(plan=Plan.FREE)
    client = make_client(free, "admin")
    MonitorFactory.create_batch(49, organization=free)

    fiftieth = create(client, SEED_CREATE)
    fifty_first = create(client, {**SEED_CREATE, "name": "One too many"})

    assert fiftieth.status_code == 201, fiftieth.content
    assert fifty_first.status_code == 403, fifty_first.content
    assert "error" in fifty_first.json()
    assert Monitor.objects.filter(organization=free).count() == 50
    assert not Monitor.objects.filter(name="One too many").exists()


def test_plan_limit_counts_only_the_callers_organization(make_client):
    free = OrganizationFactory(plan=Plan.FREE)
    client = make_client(free, "admin")
    MonitorFactory.create_batch(50, organization=OrganizationFactory(plan=Plan.FREE))

    response = create(client, SEED_CREATE)

    assert response.status_code == 201, response.content


# --- More input checks ----------------------------------------------------------------


def test_put_status_active_on_a_running_monitor_keeps_its_status(admin):
    monitor = MonitorFactory(organization=admin.organization, status=Monitor.Status.UP)

    response = admin.put(f"/api/monitors/{monitor.id}", {"status": "ACTIVE"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "UP"
    monitor.refresh_from_db()
    assert monitor.status == Monitor.Status.UP


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", "   "),
        ("name", "nul\x00byte"),
        ("name", None),
        ("interval", "abc"),
        ("interval", 10**30),
        ("timeout", 0),
        ("type", "gopher"),
        ("url", 123),
    ],
)
def test_wrongly_typed_or_out_of_range_value_is_400(admin, key, value):
    response = create(admin, {**SEED_CREATE, key: value})

    assert_invalid(response, key)
    assert Monitor.objects.count() == 0


def test_list_items_match_the_detail_of_each_monitor_type(admin):
    bodies = [
        SEED_CREATE,
        {"name": "KW", "type": "keyword", "url": "https://example.com", "keyword": "Welcome"},
        {"name": "Cert", "type": "ssl", "url": "https://example.com"},
        {"name": "DB", "type": "tcp", "host": "db.example.com", "port": 5432},
        {"name": "DNS", "type": "dns", "host": "example.com", "recordType": "MX"},
        {"name": "Cron", "type": "heartbeat", "interval": 3600},
    ]
    for body in bodies:
        assert create(admin, body).status_code == 201

    listed = admin.get("/api/monitors").json()["data"]

    assert len(listed) == len(bodies)
    for item in listed:
        assert item == admin.get(f"/api/monitors/{item['id']}").json()


def test_list_filters_do_not_apply_to_a_detail_lookup(admin):
    monitor = MonitorFactory(organization=admin.organization, status="UP")
    response = admin.get(f"/api/monitors/{monitor.id}?status=DOWN")
    assert response.status_code == 200
    assert response.json()["id"] == monitor.id
