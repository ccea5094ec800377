"""Security headers and cookie settings of the dashboard, the admin, the API docs and the
public pages."""

import base64
import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from statuspages.services import status_page_create


def test_dashboard_pages_forbid_inline_script_and_framing(client, db):
    response = client.get("/login")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_status_pages_keep_their_own_stricter_policy(client, org):
    status_page_create(organization=org, name="P", slug="p")
    policy = client.get("/status/p/")["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_the_admin_gets_the_dashboards_policy(client, db):
    get_user_model().objects.create_superuser("root", "root@example.com", "a long enough pass-phrase 7")
    login = client.get("/admin/login/")
    assert login["Content-Security-Policy"] == client.get("/login")["Content-Security-Policy"]
    client.login(username="root", password="a long enough pass-phrase 7")
    for path in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy, path


def test_the_api_docs_load_their_script_from_a_file_and_allow_only_their_own_style_block(client, db):
    response = client.get("/api/docs")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    assert re.findall(r"<script>", html) == [], "no inline script"
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in policy, "the hash allows exactly the style block served"

    [script_url] = re.findall(r'<script src="(/api/docs\?[^"]*)"', html)
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_session_and_csrf_cookies_are_not_readable_by_scripts(client, db):
    get_user_model().objects.create_user("ada", password="a long enough pass-phrase 7")
    client.get("/login")
    assert client.cookies["csrftoken"]["httponly"]
    client.post("/login", {"username": "ada", "password": "a long enough pass-phrase 7"})
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


@pytest.fixture
def tls(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^ping/"]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return Client()  # a new client, so the middleware reads these settings


def test_with_tls_hsts_is_sent_and_plain_http_redirects(tls, db):
    secure = tls.get("/login", HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.cookies["csrftoken"]["secure"]
    plain = tls.get("/login")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_with_tls_probes_and_pings_may_use_plain_http(tls, db):
    assert tls.get("/ping/not-a-token").status_code != 301
    assert tls.get("/healthz").status_code != 301


def test_without_tls_there_is_no_hsts(client, db):
    assert "Strict-Transport-Security" not in client.get("/login", HTTP_X_FORWARDED_PROTO="https")
