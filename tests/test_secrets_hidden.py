"""Secrets never reach the logs, the admin or an error message (SECURITY.md, "Secrets").

The secrets: API keys, webhook signing secrets, heartbeat ping tokens, invitation and
password-reset tokens, account and status page passwords.

The log tests drive real flows (the API, the dashboard, public pages, pings, webhook
deliveries to a real receiver on 127.0.0.1) with every logger at DEBUG, then look for each
secret, as sent and URL-encoded, in everything a handler could write: the message, the
traceback, the stack and any extra attribute (django.request and django.security.csrf attach
the request, whose repr carries the path).
"""

import base64
import logging
import re
import secrets
import uuid
from urllib.parse import quote, quote_plus

import pytest
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import invitations, login_throttle, password_reset
from accounts.models import Membership
from apikeys import guessing
from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke
from monitors.models import Monitor
from statuspages import access, subscriptions
from statuspages import services as page_services
from statuspages.models import StatusPage
from webhooks import recording, tasks
from webhooks.models import Delivery, WebhookEndpoint
from webhooks.sender import sender
from webhooks.services import webhook_endpoint_create, webhook_secret_rotate

from .factories import MonitorFactory
from .webhook_receiver import Answer, Receiver

PASSWORD = "correct horse battery 71"
WRONG_PASSWORD = "incorrect donkey stapler 19"
NEW_PASSWORD = "a brand new pass-phrase 33"
PAGE_PASSWORD = "page pass-phrase 4711"
NEW_PAGE_PASSWORD = "another page pass-phrase 12"
WRONG_PAGE_PASSWORD = "not the page pass 0815"
# Every LogRecord has these; anything else on a record was added by whoever logged it.
STANDARD_ATTRIBUTES = {*vars(logging.makeLogRecord({})), "message", "asctime", "taskName"}
API_KEY = re.compile(r"sk_live_[a-z0-9]{12}_[A-Za-z0-9]{43}")
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{44}")


# --- capturing every log record ---


class Captured(logging.Handler):
    """Keeps what a handler would write for each record, formatted as it is emitted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)  # the message, then the traceback and the stack when there are any
        extras = [f"{name}={value!r}" for name, value in vars(record).items() if name not in STANDARD_ATTRIBUTES]
        self.lines.append("\n".join([text, *extras]))

    def text(self) -> str:
        return "\n".join(self.lines)

    def assert_hidden(self, *values: str) -> None:
        """None of `values`, as sent or URL-encoded, in anything logged."""
        assert self.lines, "nothing was logged: the test would pass whatever the product does"
        for value in values:
            assert len(value) >= 8, f"too short to search for: {value!r}"
            for form in {value, quote(value, safe=""), quote_plus(value)}:
                leaks = [line for line in self.lines if form in line]
                assert not leaks, f"a secret ({value[:8]}…) was logged:\n" + "\n---\n".join(leaks)


@pytest.fixture
def logs():
    """Every logger at DEBUG and enabled, feeding one handler (the non-propagating ones too),
    as production would with LOG_LEVEL=DEBUG and more."""
    handler = Captured()
    root = logging.getLogger()
    loggers = [root, *(obj for obj in logging.Logger.manager.loggerDict.values() if isinstance(obj, logging.Logger))]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    attached = [root, *(logger for logger in loggers if not logger.propagate)]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    for logger in attached:
        logger.addHandler(handler)
    yield handler
    for logger in attached:
        logger.removeHandler(handler)
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Stored hashed all the same, without PBKDF2's deliberate slowness on every login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- helpers ---


def address() -> str:
    """A fresh client address: failure counts live in a cache that may outlive the test."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


def api_get(key_header: str, path: str = "/api/monitors", remote_addr: str | None = None):
    return APIClient().get(path, HTTP_AUTHORIZATION=key_header, REMOTE_ADDR=remote_addr or address())


def member(organization, role: str, password: str | None = None):
    tag = uuid.uuid4().hex[:8]
    user = get_user_model().objects.create_user(f"{role}-{tag}", email=f"{tag}@example.com", password=password)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def assert_not_echoed(response, *values: str) -> None:
    text = response.content.decode(errors="replace") + repr(dict(response.headers))
    for value in values:
        assert value not in text, f"the {response.status_code} answer echoes a secret ({value[:8]}…)"


def heartbeat(organization) -> Monitor:
    return MonitorFactory(
        organization=organization, type=Monitor.Type.HEARTBEAT, url="", ping_token=secrets.token_urlsafe(24)
    )


def page_form(**changes) -> dict:
    """The dashboard's status page form, as the browser sends it."""
    data = {"name": "Acme status", "slug": "", "description": "", "accentColor": "#2563eb"}
    data |= {"privacy": "public", "password": "", "customDomain": ""}
    return data | changes


# --- logs: API keys ---


def test_api_keys_created_used_refused_and_throttled_through_the_api_are_never_logged(logs, admin, monkeypatch):
    created = admin.post("/api/api-keys", {"name": "ci", "permission": "read"}, format="json")
    assert created.status_code == 201
    raw_key = created.json()["key"]
    wrong_secret = raw_key[:-43] + "B" * 43  # the right key id, a wrong secret

    assert api_get(f"Bearer {raw_key}").status_code == 200
    assert api_get(f"Bearer {wrong_secret}").status_code == 401
    assert api_get(f"Token {raw_key}").status_code == 401
    assert api_get(raw_key).status_code == 401
    assert admin.delete(f"/api/api-keys/{created.json()['id']}").status_code == 204
    assert api_get(f"Bearer {raw_key}").status_code == 401  # revoked

    # Past the guessing limit, a key whose id this process does not keep is refused with a 429.
    monkeypatch.setattr(guessing, "MAX_FAILURES", 3)
    noisy = address()
    for _ in range(3):
        assert api_get(f"Bearer {wrong_secret}", remote_addr=noisy).status_code == 401
    unkept = admin.post("/api/api-keys", {"name": "new", "permission": "read"}, format="json").json()["key"]
    assert api_get(f"Bearer {unkept}", remote_addr=noisy).status_code == 429
    guess = "sk_live_" + secrets.token_hex(6) + "_" + secrets.token_hex(21) + "Z"  # a key id no one has
    assert api_get(f"Bearer {guess}", remote_addr=noisy).status_code == 429

    text = logs.text()
    assert "Unauthorized: /api/monitors" in text and "Too Many Requests: /api/monitors" in text
    logs.assert_hidden(raw_key, wrong_secret, unkept, guess, admin.raw_key)


def test_api_keys_created_and_revoked_on_the_dashboard_are_never_logged(logs, org):
    client = logged_in(member(org, "admin"))
    assert client.post("/api-keys/new", {"name": "", "permission": "root"}).status_code == 400
    page = client.post("/api-keys/new", {"name": "deploy", "permission": "write"})
    raw_key = API_KEY.search(page.content.decode()).group(0)
    assert api_get(f"Bearer {raw_key}").status_code == 200
    key = ApiKey.objects.get(name="deploy")
    assert client.post(f"/api-keys/{key.id}/revoke").status_code == 302
    assert api_get(f"Bearer {raw_key}").status_code == 401

    assert "Bad Request: /api-keys/new" in logs.text()
    logs.assert_hidden(raw_key)


# --- logs: webhook secrets, through real deliveries ---


@pytest.fixture
def receivers(settings, monkeypatch):
    """Real receivers on 127.0.0.1. The send task waits for each answer and records it on
    the test's own connection (not the sender's recorder thread)."""
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TASK_FIRST_WAIT = 10.0
    monkeypatch.setattr(tasks, "SLOW_GAP", 10.0)
    made: list[Receiver] = []

    def make(answer: Answer) -> Receiver:
        made.append(Receiver(default=answer))
        return made[-1]

    yield make
    assert sender(recording.record).wait_idle(10)
    for receiver in made:
        receiver.close()


def test_webhook_secrets_created_rotated_and_signing_real_deliveries_are_never_logged(
    logs, admin, org, receivers, django_capture_on_commit_callbacks, settings
):
    happy = receivers(Answer(status=200, body=b"thanks"))
    failing = receivers(Answer(status=500, body=b"receiver broke"))
    gone = receivers(Answer())
    refused_url = gone.url
    gone.close()  # nothing listens there any more: connection refused

    endpoints, seen = {}, []
    for name, url in (("happy", happy.url), ("failing", failing.url), ("refused", refused_url)):
        created = admin.post("/api/webhooks", {"url": url, "events": ["monitor.down"]}, format="json")
        assert created.status_code == 201
        endpoints[name] = created.json()["id"]
        seen.append(created.json()["secret"])
    rotated = admin.post(f"/api/webhooks/{endpoints['happy']}/rotate-secret")
    assert rotated.status_code == 200
    seen.append(rotated.json()["secret"])  # the old one goes on signing for a day

    dashboard = logged_in(member(org, "admin"))
    page = dashboard.post("/webhooks/new", {"url": failing.url, "events": ["monitor.down"], "enabled": "on"})
    seen.append(WEBHOOK_SECRET.search(page.content.decode()).group(0))
    endpoints["dashboard"] = WebhookEndpoint.objects.filter(organization=org).latest("created_at").id
    page = dashboard.post(f"/webhooks/{endpoints['dashboard']}/rotate-secret")
    seen.append(WEBHOOK_SECRET.search(page.content.decode()).group(0))
    assert dashboard.post("/webhooks/new", {"url": "not a url", "events": ["monitor.down"]}).status_code == 400

    for name, endpoint_id in endpoints.items():
        with django_capture_on_commit_callbacks(execute=True):
            if name == "dashboard":
                assert dashboard.post(f"/webhooks/{endpoint_id}/test").status_code == 302
            else:
                assert admin.post(f"/api/webhooks/{endpoint_id}/test").status_code == 202

    outcomes = {
        name: list(Delivery.objects.get(endpoint_id=endpoint_id).attempt_log.values_list("status_code", "error"))
        for name, endpoint_id in endpoints.items()
    }
    assert outcomes["happy"] == [(200, "")]
    assert outcomes["failing"] == [(500, "HTTP 500")] and outcomes["dashboard"] == [(500, "HTTP 500")]
    [(status_code, error)] = outcomes["refused"]
    assert status_code is None and "refused" in error.lower()
    [delivered] = happy.wait_for_requests(1)
    assert "X-StatusApp-Signature-Previous" in delivered.headers  # signed with both secrets
    assert len(failing.wait_for_requests(2)) == 2

    assert "Bad Request: /webhooks/new" in logs.text()
    logs.assert_hidden(*seen, settings.STATUSAPP_ENCRYPTION_KEY)


# --- logs: heartbeat ping tokens ---


def test_ping_tokens_are_never_logged_whatever_the_ping(logs, admin):
    created = admin.post(
        "/api/monitors", {"name": "Nightly backup", "type": "heartbeat", "interval": 3600}, format="json"
    )
    assert created.status_code == 201
    monitor_id, token = created.json()["id"], created.json()["pingUrl"].rsplit("/", 1)[1]
    unknown = secrets.token_urlsafe(24)
    client = Client()

    for suffix in ("", "/", "/fail", "/start", "/start/", "/fail/"):
        for method in (client.get, client.post, client.head):
            assert method(f"/ping/{token}{suffix}").status_code == 200
    assert client.put(f"/ping/{token}").status_code == 405
    assert client.delete(f"/ping/{token}/fail").status_code == 405
    assert client.get(f"/ping/{token}/nonsense").status_code == 404
    assert client.get(f"/ping/{unknown}").status_code == 404
    assert client.post(f"/ping/{unknown}/fail", "cron output", content_type="text/plain").status_code == 404
    assert admin.put(f"/api/monitors/{monitor_id}", {"status": "PAUSED"}, format="json").status_code == 200
    assert client.get(f"/ping/{token}").status_code == 200
    assert admin.delete(f"/api/monitors/{monitor_id}").status_code == 204
    assert client.get(f"/ping/{token}").status_code == 404

    text = logs.text()
    assert "Not Found: /ping/<token>" in text and "Method Not Allowed (PUT): /ping/<token>" in text
    logs.assert_hidden(token, unknown)


def test_sql_carrying_stored_tokens_is_not_logged_even_with_debug_and_log_level_debug(caplog, org):
    """Ping tokens and webhook secrets are stored as they are, so SQL parameters carry them:
    django.db.backends stays at WARNING whatever LOG_LEVEL says (statusapp/settings.py)."""
    token = heartbeat(org).ping_token
    caplog.set_level(logging.DEBUG)  # the root logger, as LOG_LEVEL=DEBUG does
    with CaptureQueriesContext(connection) as queries:  # the debug cursor, as DEBUG=1 turns on
        assert Client().get(f"/ping/{token}").status_code == 200
    assert any(token in query["sql"] for query in queries)  # the statement does carry it
    assert token not in caplog.text


# --- logs: passwords and reset links ---


def test_passwords_and_reset_tokens_are_never_logged(logs, org):
    user = member(org, "owner", PASSWORD)
    client = Client()
    failed = [f"{WRONG_PASSWORD} {n}" for n in range(login_throttle.MAX_PER_USER)]

    assert client.post("/login", {"username": user.username, "password": failed[0]}).status_code == 200
    assert client.post("/login", {"username": user.username, "password": PASSWORD}).status_code == 302
    change = {"old_password": WRONG_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/account/password", change).status_code == 200
    change["old_password"] = PASSWORD
    assert client.post("/account/password", change).status_code == 302
    # A form posted without its CSRF token is refused and logged with its path.
    assert (
        Client(enforce_csrf_checks=True)
        .post("/login", {"username": user.username, "password": NEW_PASSWORD})
        .status_code
        == 403
    )
    client.post("/logout")

    # Failed logins up to the lock; then even the right password is refused.
    for password in failed:
        client.post("/login", {"username": user.username, "password": password}, REMOTE_ADDR=address())
    refused = client.post("/login", {"username": user.username, "password": NEW_PASSWORD})
    assert login_throttle.REFUSED in refused.content.decode()

    # Reset by email: the link's token, a CSRF-less post to it, a mismatch, then the new password.
    assert client.post("/account/reset", {"email": user.email}).status_code == 302
    link = re.search(r"https?://[^/]+(/account/reset/\S+)", mail.outbox[-1].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    reset = {"new_password1": PASSWORD + "!", "new_password2": PASSWORD + "!"}
    assert Client(enforce_csrf_checks=True).post(link, reset).status_code == 403
    form = client.get(link, follow=True)
    set_password_url = form.redirect_chain[-1][0]
    assert client.post(set_password_url, reset | {"new_password2": "x"}).status_code == 200
    assert client.post(set_password_url, reset).status_code == 302
    assert "no longer valid" in client.get(link, follow=True).content.decode()  # used once

    assert "Forbidden (CSRF cookie not set.): /login" in logs.text()
    logs.assert_hidden(PASSWORD, NEW_PASSWORD, PASSWORD + "!", *failed, token)


# --- logs: invitation links ---


def test_invitation_tokens_are_never_logged(logs, org):
    admin_client = logged_in(member(org, "admin"))
    html = admin_client.post("/settings/invitations", {"email": "new@example.com", "role": "member"}).content.decode()
    token = re.search(r"/settings/invitations/([A-Za-z0-9_-]{40,})", html).group(1)
    url = f"/settings/invitations/{token}"
    join = {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "password_again": PASSWORD}

    visitor = Client()
    assert visitor.get(url).status_code == 200
    assert visitor.post(url, join | {"password_again": WRONG_PASSWORD}).status_code == 400
    assert Client(enforce_csrf_checks=True).post(url, join).status_code == 403
    assert visitor.post(url, join).status_code == 302
    assert Client().get(url).status_code == 410  # used

    revoked, revoked_token = invitations.invitation_create(
        actor=Membership.objects.get(organization=org, role="admin"), role="viewer"
    )
    assert admin_client.post(f"/settings/invitations/{revoked.pk}/revoke").status_code == 302
    assert Client().get(f"/settings/invitations/{revoked_token}").status_code == 404

    assert "Bad Request: /settings/invitations/" in logs.text()
    logs.assert_hidden(token, revoked_token, PASSWORD, WRONG_PASSWORD)


# --- logs: status page passwords ---


def test_status_page_passwords_are_never_logged(logs, admin, org):
    page = page_services.status_page_create(organization=org, name="Acme", slug=f"acme-{uuid.uuid4().hex[:8]}")
    body = {"isPublic": False, "password": PAGE_PASSWORD}
    assert admin.put(f"/api/status-pages/{page.id}", body, format="json").status_code == 200
    public_url = f"/status/{page.slug}/"

    visitor = Client()
    assert visitor.get(public_url).status_code == 401
    assert visitor.post(public_url, {"password": WRONG_PAGE_PASSWORD}).status_code == 401
    assert visitor.post(public_url, {"password": PAGE_PASSWORD}).status_code == 302
    assert visitor.get(public_url).status_code == 200

    dashboard = logged_in(member(org, "member"))
    edit = f"/pages/{page.id}/edit"
    unnamed = page_form(slug=page.slug, name="", privacy="password", password=NEW_PAGE_PASSWORD)
    assert dashboard.post(edit, unnamed).status_code == 400
    changed = page_form(slug=page.slug, privacy="password", password=NEW_PAGE_PASSWORD)
    assert dashboard.post(edit, changed).status_code == 302
    assert visitor.get(public_url).status_code == 401  # the new password locks everyone out
    assert visitor.post(public_url, {"password": PAGE_PASSWORD}).status_code == 401

    assert f"Unauthorized: {public_url}" in logs.text()
    logs.assert_hidden(PAGE_PASSWORD, NEW_PAGE_PASSWORD, WRONG_PAGE_PASSWORD)


def test_guesses_refused_by_the_throttles_are_never_logged(logs, admin, org, settings):
    """Past each throttle the guesses are refused before any check; they are not logged either."""
    page = page_services.status_page_create(organization=org, name="Acme", slug=f"guess-{uuid.uuid4().hex[:8]}")
    body = {"isPublic": False, "password": PAGE_PASSWORD}
    assert admin.put(f"/api/status-pages/{page.id}", body, format="json").status_code == 200
    guesses = [f"{WRONG_PAGE_PASSWORD} {n}" for n in range(access.MAX_GUESSES_PER_ADDRESS + 2)]
    visitor, guesser = Client(), address()
    answers = [visitor.post(f"/status/{page.slug}/", {"password": g}, REMOTE_ADDR=guesser) for g in guesses]
    assert [a.status_code for a in answers][-2:] == [429, 429]

    superuser = get_user_model().objects.create_superuser(f"root-{uuid.uuid4().hex[:8]}", password=PASSWORD)
    failed = [f"{WRONG_PASSWORD} admin {n}" for n in range(login_throttle.MAX_PER_USER + 1)]
    answers = [
        Client().post("/admin/login/", {"username": superuser.username, "password": p}, REMOTE_ADDR=address())
        for p in [*failed, PASSWORD]
    ]
    assert answers[-1].status_code == 200  # locked out: the right password gets the form again, not in

    for _ in range(password_reset.MAX_PER_EMAIL + 1):
        Client().post("/account/reset", {"email": superuser.email or "root@example.com"}, REMOTE_ADDR=address())

    logs.assert_hidden(PAGE_PASSWORD, *guesses, PASSWORD, *failed)


# --- logs: subscribers' links and badges ---


def test_subscriber_link_and_badge_tokens_are_never_logged(logs, org, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "status.secrets.test"]
    page = page_services.status_page_create(organization=org, name="Acme", slug=f"subs-{uuid.uuid4().hex[:8]}")
    page_services.status_page_update(page=page, custom_domain="status.secrets.test")
    StatusPage.objects.filter(pk=page.pk).update(custom_domain_verified=True)  # as its TXT record would prove
    token = subscriptions.subscribe(page=page, email="sub@example.com").token
    badge_token = heartbeat(org).badge_token
    client = Client()

    # A mail scanner's HEAD, a stray PUT: 405s, logged with their paths (custom domain too).
    assert client.head(f"/status/{page.slug}/subscribe/confirm/{token}").status_code == 405
    assert client.head(f"/subscribe/confirm/{token}", HTTP_HOST="status.secrets.test").status_code == 405
    assert client.get(f"/status/{page.slug}/subscribe/confirm/{token}").status_code == 200
    assert client.put(f"/status/{page.slug}/unsubscribe/{token}").status_code == 405
    assert client.post(f"/unsubscribe/{token}", HTTP_HOST="status.secrets.test").status_code == 200
    assert client.head(f"/badge/{badge_token}/status.svg").status_code == 405
    assert client.get(f"/badge/{badge_token}/status.svg").status_code == 200

    text = logs.text()
    assert "Method Not Allowed (HEAD): /subscribe/confirm/<token>" in text
    assert "Method Not Allowed (HEAD): /badge/<token>/status.svg" in text
    logs.assert_hidden(token, badge_token)


# --- the admin ---


@pytest.fixture
def superuser_client(django_user_model) -> Client:
    return logged_in(django_user_model.objects.create_superuser("root", "root@example.com", "root pass-phrase 99"))


def admin_urls(obj) -> list[str]:
    opts = obj._meta
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[admin_quote(obj.pk)]),
    ]


def test_admin_lists_and_forms_show_no_secret_nor_its_hash(superuser_client, org):
    key, raw_key = api_key_create(organization=org, name="ci", permission="admin")
    endpoint = webhook_endpoint_create(organization=org, url="https://hooks.example.com/a", events=["monitor.down"])
    first_secret = endpoint.secret
    endpoint = webhook_secret_rotate(endpoint=endpoint)
    page = page_services.status_page_create(
        organization=org, name="Private", slug="private", is_public=False, password_hash=make_password(PAGE_PASSWORD)
    )
    owner = member(org, "owner", PASSWORD)
    invitation, invitation_token = invitations.invitation_create(actor=owner.memberships.get(), role="member")
    monitor = heartbeat(org)
    secrets_and_hashes = [
        raw_key,
        key.key_hash,
        first_secret,
        endpoint.secret,
        page.password_hash,
        PAGE_PASSWORD,
        invitation_token,
        invitation.token_hash,
        PASSWORD,
        owner.password,
    ]

    for obj in (key, endpoint, page, invitation, owner, monitor):
        changelist, change = admin_urls(obj)
        pages = {url: superuser_client.get(url) for url in (changelist, change)}
        assert [response.status_code for response in pages.values()] == [200, 200], changelist
        assert change in pages[changelist].content.decode()  # the list does show the object
        for url, response in pages.items():
            html = response.content.decode()
            for value in secrets_and_hashes:
                assert value not in html, f"{url} shows a secret or its hash ({value[:8]}…)"

    # The ping URL is shown on purpose to every key and member of the organization (API
    # `pingUrl`, the dashboard), so the admin may show it, read-only; never in the list.
    monitor_list, monitor_form = (superuser_client.get(url).content.decode() for url in admin_urls(monitor))
    assert monitor.ping_token not in monitor_list
    assert 'name="ping_token"' not in monitor_form


# --- error messages ---


def test_api_errors_never_echo_a_key_or_secret(admin, reader, outsider, org):
    _key, raw_key = api_key_create(organization=org, name="victim", permission="admin")
    revoked, revoked_key = api_key_create(organization=org, name="old", permission="admin")
    api_key_revoke(key=revoked)
    basic = base64.b64encode(f"user:{raw_key}".encode()).decode()
    for header in (
        f"Bearer {raw_key}x",
        f"Bearer {raw_key} {raw_key}",
        f"Token {raw_key}",
        raw_key,
        f"Basic {basic}",
        f"Bearer {revoked_key}",
        f"Bearer {raw_key[:-1]}",
    ):
        response = api_get(header)
        assert response.status_code == 401, header
        assert_not_echoed(response, raw_key, raw_key[:-1], revoked_key, basic)

    endpoint = webhook_endpoint_create(organization=org, url="https://hooks.example.com/a", events=["monitor.down"])
    guessed = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    for response in (
        admin.put(f"/api/webhooks/{endpoint.id}", {"secret": guessed}, format="json"),
        admin.post("/api/webhooks", {"url": "https://hooks.example.com/b", "secret": guessed}, format="json"),
        admin.post("/api/webhooks", {"url": "https://hooks.example.com/b", "signingSecret": guessed}, format="json"),
        admin.post("/api/api-keys", {"name": "x", "permission": "read", "key": raw_key}, format="json"),
    ):
        assert response.status_code == 400
        assert_not_echoed(response, guessed, endpoint.secret, raw_key)

    for response in (
        reader.get(f"/api/webhooks/{endpoint.id}"),  # 403: admin keys only
        outsider.get(f"/api/webhooks/{endpoint.id}"),  # 404: another organization's
        outsider.post(f"/api/webhooks/{endpoint.id}/rotate-secret"),
        reader.post("/api/api-keys", {"name": "x", "permission": "admin"}, format="json"),
    ):
        assert response.status_code in (403, 404)
        assert_not_echoed(response, endpoint.secret, reader.raw_key, outsider.raw_key)

    page = page_services.status_page_create(organization=org, name="Acme", slug="acme-errors")
    for password in ("seven77", 1234567, ["a list of", "passwords"], {"password": "in a dict"}):
        response = admin.put(f"/api/status-pages/{page.id}", {"password": password}, format="json")
        assert response.status_code == 400, password
        assert_not_echoed(response, "seven77", "1234567", "a list of", "in a dict")


def test_pages_never_echo_a_password_or_a_link_token(org):
    user = member(org, "owner", PASSWORD)
    client = Client()
    response = client.post("/login", {"username": user.username, "password": WRONG_PASSWORD})
    assert response.status_code == 200 and "Please enter a correct" in response.content.decode()
    assert_not_echoed(response, WRONG_PASSWORD)

    client.force_login(user)
    change = {"old_password": WRONG_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    response = client.post("/account/password", change)
    assert response.status_code == 200
    assert_not_echoed(response, WRONG_PASSWORD, NEW_PASSWORD)

    page = page_services.status_page_create(
        organization=org, name="Acme", slug="acme-pages", is_public=False, password_hash=make_password(PAGE_PASSWORD)
    )
    response = Client().post(f"/status/{page.slug}/", {"password": WRONG_PAGE_PASSWORD})
    assert response.status_code == 401 and "That password is not right." in response.content.decode()
    assert_not_echoed(response, WRONG_PAGE_PASSWORD, page.password_hash)
    response = client.post(
        f"/pages/{page.id}/edit", page_form(slug=page.slug, name="", privacy="password", password=NEW_PAGE_PASSWORD)
    )
    assert response.status_code == 400
    assert_not_echoed(response, NEW_PAGE_PASSWORD, page.password_hash)

    _invitation, token = invitations.invitation_create(actor=user.memberships.get(), role="member")
    join = {"username": "newbie", "email": "nope", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    response = Client().post(f"/settings/invitations/{token}", join)
    assert response.status_code == 400
    assert_not_echoed(response, NEW_PASSWORD)

    unknown = secrets.token_urlsafe(32)
    for response in (Client().get(f"/settings/invitations/{unknown}"), Client().get(f"/ping/{unknown}")):
        assert response.status_code == 404
        assert_not_echoed(response, unknown)
