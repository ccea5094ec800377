"""Outside /api/ a missing page and a server error are the dashboard's own styled pages,
with its navigation for a signed-in person; under /api/ they stay the JSON envelope. The
500 page renders even when the database is gone."""

import pytest
from django.templatetags.static import static

from statuspages.services import status_page_create

from .error_urls import database_back

STYLESHEET = f'<link rel="stylesheet" href="{static("dashboard/app.css")}">'
MAIN_NAV = '<nav aria-label="Main">'


@pytest.fixture
def member(client, person, org):
    return person(org, "member", client)


@pytest.mark.parametrize("path", ["/no-such-page", "/monitors/mon_doesnotexist/", "/incidents/inc_doesnotexist/"])
def test_a_signed_in_persons_404_is_styled_with_the_navigation(client, member, org, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert STYLESHEET in html and MAIN_NAV in html
    assert "<h1>Page not found</h1>" in html and f"{org.name} · Member" in html
    assert "<title>Page not found · StatusApp</title>" in html


def test_the_missing_path_is_shown_escaped(client, member):
    html = client.get("/no-such-<b>page</b>").content.decode()
    assert "<b>page</b>" not in html and "<code>/no-such-&lt;b&gt;page&lt;/b&gt;</code>" in html


def test_an_anonymous_404_is_styled_without_the_navigation(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.content.decode()
    assert STYLESHEET in html and "<h1>Page not found</h1>" in html
    assert MAIN_NAV not in html and 'href="/login"' in html


def test_an_api_404_is_still_the_json_envelope(client, member):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found", "details": ""}}


@pytest.mark.urls("tests.error_urls")
def test_a_500_is_the_styled_page_with_the_navigation_and_no_details(client, member, org):
    client.raise_request_exception = False
    response = client.get("/test/crash")
    assert response.status_code == 500
    html = response.content.decode()
    assert STYLESHEET in html and MAIN_NAV in html and f"{org.name} · Member" in html
    assert "<h1>Something went wrong</h1>" in html and "secret detail" not in html


@pytest.mark.urls("tests.error_urls")
def test_a_500_renders_without_the_database(client, member):
    client.raise_request_exception = False
    try:
        response = client.get("/test/crash-without-database")
    finally:
        database_back()
    assert response.status_code == 500
    html = response.content.decode()
    assert STYLESHEET in html and "<h1>Something went wrong</h1>" in html
    assert MAIN_NAV not in html and "5432" not in html


@pytest.mark.urls("tests.error_urls")
def test_an_anonymous_500_is_styled_too(client, db):
    client.raise_request_exception = False
    response = client.get("/test/crash")
    assert response.status_code == 500
    assert STYLESHEET in response.content.decode()


def test_a_missing_page_under_a_status_page_keeps_the_public_look(client, member, org):
    status_page_create(organization=org, name="Acme status", slug="acme", components=[])
    response = client.get("/status/acme/incidents/inc_doesnotexist")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html and MAIN_NAV not in html and STYLESHEET not in html
