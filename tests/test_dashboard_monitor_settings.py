"""The dashboard's monitor form refuses what the API refuses in a monitor's request settings (it reuses the
API serializer): an illegal header name, a header value with a control character, a URL port outside 1-65535."""

import pytest

from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db


def error_next_to(html: str, field: str) -> str:
    assert f'id="e-{field}"' in html, html[:3000]
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ("X Probe: a", "&#x27;X Probe&#x27; is not a valid header name."),
        ("X-Pröbe: a", "&#x27;X-Pröbe&#x27; is not a valid header name."),
        ("X-Probe: a\x1bb", "The value of &#x27;X-Probe&#x27; must not contain control characters."),
        ("X-Probe: a\x00b", "Null characters are not allowed."),
    ],
)
def test_bad_header_shows_the_api_message_next_to_headers_and_saves_nothing(client, person, org, headers, message):
    person(org, "member", client)
    data = {"name": "X", "type": "http", "url": "https://example.com/", "headers": headers}

    response = client.post("/monitors/new", data)

    assert response.status_code == 400
    assert message in error_next_to(response.content.decode(), "headers")
    assert not Monitor.objects.exists()


def test_header_lines_split_at_line_breaks_so_none_reaches_a_value(client, person, org):
    person(org, "member", client)
    data = {"name": "X", "type": "http", "url": "https://example.com/", "headers": "X-Probe: a\r\nX-Other: b"}

    response = client.post("/monitors/new", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Monitor.objects.get().request_headers == {"X-Probe": "a", "X-Other": "b"}


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_url_port_outside_the_range_shows_next_to_url_and_saves_nothing(client, person, org, port):
    person(org, "member", client)
    monitor = MonitorFactory(organization=org, url="https://example.com/")
    data = {"name": "X", "type": "http", "url": f"https://example.com:{port}/"}

    created = client.post("/monitors/new", data)
    edited = client.post(f"/monitors/{monitor.id}/edit", data)

    for response in (created, edited):
        assert response.status_code == 400
        assert "The URL&#x27;s port must be between 1 and 65535." in error_next_to(response.content.decode(), "url")
    assert Monitor.objects.count() == 1
    monitor.refresh_from_db()
    assert monitor.url == "https://example.com/"


@pytest.mark.parametrize(
    ("port", "message"),
    [("0", "greater than or equal to 1."), ("65536", "less than or equal to 65535.")],
)
def test_tcp_port_outside_the_range_shows_next_to_port(client, person, org, port, message):
    person(org, "member", client)

    response = client.post("/monitors/new", {"name": "DB", "type": "tcp", "host": "db.example.com", "port": port})

    assert response.status_code == 400
    assert message in error_next_to(response.content.decode(), "port")
    assert not Monitor.objects.exists()
