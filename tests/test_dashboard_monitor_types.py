"""The dashboard's monitor form and the check types of issue 16: each type in the type select,
each field shown for the types that take it, and a database password that is never shown and
kept when its input is left blank."""

import re

import pytest

from monitors.api.serializers import TYPE_FIELDS
from monitors.models import Monitor

pytestmark = pytest.mark.django_db

PASSWORD = "dashboard pass 7781"
NEW_TYPES = ("ping", "postgres", "mysql", "redis", "grpc", "smtp")


def field_types(html: str, name: str) -> set[str]:
    """The types the form shows the input named `name` for (its field's data-types)."""
    field = rf'<div class="field[^"]*" data-types="([^"]*)">(?:(?!<div).)*?name="{name}"'
    match = re.search(field, html, re.DOTALL)
    assert match, f"no field for {name}"
    return set(match.group(1).split())


def postgres_form(**changes) -> dict:
    """The form as a browser posts it; a change to None leaves the field out (an unchecked box)."""
    data = {"name": "Orders DB", "type": "postgres", "host": "db.example.com", "port": "", "username": "monitor"}
    data |= {"password": PASSWORD, "database": "orders", "tls": "on", "interval": "60"}
    return {name: value for name, value in (data | changes).items() if value is not None}


def test_the_form_offers_the_new_types_and_shows_each_field_for_the_types_that_take_it(client, person, org):
    person(org, "member", client)

    html = client.get("/monitors/new").content.decode()

    for kind in NEW_TYPES:
        assert f'<option value="{kind}">{Monitor.Type(kind).label}</option>' in html
    for name in ("host", "port", "username", "password", "database", "tls", "service", "pingCount", "sslDownDays"):
        assert field_types(html, name) == {kind for kind, fields in TYPE_FIELDS.items() if name in fields}, name
    assert field_types(html, "password") == {"postgres", "mysql", "redis"}
    assert field_types(html, "port") == {"tcp", "postgres", "mysql", "redis", "grpc", "smtp"}


def test_a_postgres_monitor_created_on_the_form_and_edited_with_a_blank_password_keeps_it(client, person, org):
    person(org, "member", client)

    created = client.post("/monitors/new", postgres_form())

    assert created.status_code == 302, created.content.decode()[:3000]
    monitor = Monitor.objects.get()
    assert (monitor.type, monitor.host, monitor.port) == ("postgres", "db.example.com", 5432)
    assert (monitor.username, monitor.password, monitor.database, monitor.tls) == ("monitor", PASSWORD, "orders", True)

    form = client.get(f"/monitors/{monitor.id}/edit").content.decode()

    assert PASSWORD not in form and "••••" not in form  # neither the password nor its mask
    assert re.search(r'<input id="f-password" name="password" type="password"[^>]* value=""', form)
    assert "leave blank to keep it" in form

    edited = client.post(
        f"/monitors/{monitor.id}/edit", postgres_form(password="", database="orders_replica", port="6432", tls=None)
    )

    assert edited.status_code == 302, edited.content.decode()[:3000]
    monitor.refresh_from_db()
    assert (monitor.password, monitor.database, monitor.port, monitor.tls) == (PASSWORD, "orders_replica", 6432, False)

    changed = client.post(f"/monitors/{monitor.id}/edit", postgres_form(password="  a new one  "))

    assert changed.status_code == 302
    monitor.refresh_from_db()
    assert monitor.password == "  a new one  "  # as typed, spaces and all


def test_a_refused_form_shows_the_error_next_to_the_field_and_never_the_password(client, person, org):
    person(org, "member", client)

    response = client.post("/monitors/new", postgres_form(port="70000"))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="e-port"' in html
    assert PASSWORD not in html
    assert not Monitor.objects.exists()


def test_a_copy_of_a_database_monitor_keeps_its_password_when_left_blank(client, person, org):
    person(org, "member", client)
    assert client.post("/monitors/new", postgres_form()).status_code == 302
    source = Monitor.objects.get()

    form = client.get(f"/monitors/{source.id}/clone").content.decode()
    assert PASSWORD not in form and "the copied monitor" in form
    copied = client.post(f"/monitors/{source.id}/clone", postgres_form(name="Orders DB (copy)", password=""))

    assert copied.status_code == 302, copied.content.decode()[:3000]
    copy = Monitor.objects.get(name="Orders DB (copy)")
    assert copy.id != source.id and copy.password == PASSWORD


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "ping", "host": "router.example.com", "pingCount": "5"},
         {"host": "router.example.com", "ping_count": 5}),
        ({"type": "grpc", "host": "orders.example.com", "port": "50051", "service": "shop.Orders", "tls": "on"},
         {"port": 50051, "service": "shop.Orders", "tls": True}),
        ({"type": "smtp", "host": "mail.example.com", "tls": "on", "sslDegradedDays": "21"},
         {"port": 25, "tls": True, "ssl_degraded_days": 21}),
        ({"type": "redis", "host": "cache.example.com", "password": PASSWORD}, {"port": 6379, "password": PASSWORD}),
        ({"type": "mysql", "host": "mysql.example.com"}, {"port": 3306, "password": "", "tls": False}),
    ],
)  # fmt: skip
def test_each_new_type_is_created_from_the_form(client, person, org, data, expected):
    person(org, "member", client)

    response = client.post("/monitors/new", {"name": "Check", "interval": "60", **data})

    assert response.status_code == 302, response.content.decode()[:3000]
    monitor = Monitor.objects.get()
    assert monitor.type == data["type"]
    for attribute, value in expected.items():
        assert getattr(monitor, attribute) == value, attribute
