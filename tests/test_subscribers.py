"""Email subscribers of a status page: the public subscribe/confirm/unsubscribe pages, the
fan-out of incident updates, and sending each email at most once."""

import re
import smtplib
import threading
from unittest import mock

import pytest
from django.contrib.admin.utils import quote
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from statuspages import subscriptions, tasks
from statuspages.models import StatusPageComponent, Subscriber, SubscriberNotification

from .factories import MonitorFactory, StatusPageFactory

pytestmark = pytest.mark.django_db

BASE_URL = "https://status.example.com"
LINK = re.compile(re.escape(BASE_URL) + r"(/[^\s\"<>]+)")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.STATUSAPP_BASE_URL = BASE_URL


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block enqueues on commit (Celery is eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def monitor(org):
    return MonitorFactory(organization=org, name="API")


@pytest.fixture
def page(org, monitor):
    page = StatusPageFactory(organization=org, name="Acme Status", slug="acme")
    StatusPageComponent.objects.create(page=page, monitor=monitor)
    return page


def confirmed(page, email: str) -> Subscriber:
    return Subscriber.objects.create(
        page=page, email=email, token=subscriptions.new_token(), confirmed_at=timezone.now()
    )


def links(message) -> list[str]:
    """The paths of this install's absolute links in an email's text body."""
    return LINK.findall(message.body)


def header_link(message) -> str:
    match = re.fullmatch(r"<" + re.escape(BASE_URL) + r"(/\S+)>", message.extra_headers["List-Unsubscribe"])
    assert match, message.extra_headers
    return match.group(1)


def html_part(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def post_update(client, incident_id: str, *, notify: bool, message: str = "We are on it", status: str | None = None):
    body = {"message": message, "notifySubscribers": notify}
    if status:
        body["status"] = status
    response = client.post(f"/api/incidents/{incident_id}/updates", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def publish(incident, *, notify: bool = True, message: str = "Update"):
    return incident_services.incident_add_update(incident=incident, message=message, notify_subscribers=notify)


# --- the whole journey --------------------------------------------------------------------------


def test_subscriber_confirms_by_email_gets_updates_and_unsubscribes_with_one_click(
    client, admin, page, monitor, committed
):
    # Subscribe from the page: a confirmation email, nothing confirmed yet.
    with committed():
        response = client.post("/status/acme/subscribe", {"email": "Ann@Example.com"})
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get(page=page)
    assert (subscriber.email, subscriber.confirmed_at, subscriber.unsubscribed_at) == ("ann@example.com", None, None)
    [confirmation] = mail.outbox
    assert confirmation.to == ["ann@example.com"]
    assert "Acme Status" in confirmation.subject
    [confirm_path] = links(confirmation)
    assert confirm_path == f"/status/acme/subscribe/confirm/{subscriber.token}"
    assert confirm_path in html_part(confirmation)

    # An incident on the page's monitor: its opening entry does not notify, and an update
    # that does reaches nobody while the address is unconfirmed.
    with committed():
        created = admin.post(
            "/api/incidents",
            {"title": "Database down", "impact": "high", "affectedComponents": [monitor.id]},
            format="json",
        )
        assert created.status_code == 201, created.content
        incident_id = created.json()["id"]
        post_update(admin, incident_id, notify=True, message="Before confirming")
    assert len(mail.outbox) == 1

    # Confirm by the link in the email.
    response = client.get(confirm_path)
    assert response.status_code == 200
    assert "You are subscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None

    # An update with notifySubscribers: one email, with the update and an unsubscribe link.
    mail.outbox.clear()
    with committed():
        update = post_update(admin, incident_id, notify=True, message="Failover in progress", status="IDENTIFIED")
    [email] = mail.outbox
    assert email.to == ["ann@example.com"]
    assert email.subject == "[Acme Status] Database down (Identified)"
    assert "Failover in progress" in email.body
    assert "Failover in progress" in html_part(email)
    unsubscribe_path = f"/status/acme/unsubscribe/{subscriber.token}"
    assert header_link(email) == unsubscribe_path
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path in links(email)
    notification = SubscriberNotification.objects.get(update_id=update["id"])
    assert (notification.subscriber_id, notification.error) == (subscriber.id, "")
    assert notification.sent_at is not None

    # Without notifySubscribers: nothing.
    with committed():
        post_update(admin, incident_id, notify=False, message="Quiet note")
    assert len(mail.outbox) == 1
    assert not SubscriberNotification.objects.filter(update__message="Quiet note").exists()

    # The sweeper running again sends nothing twice.
    assert tasks.send_notifications() == 0
    assert tasks.send_notifications() == 0
    assert len(mail.outbox) == 1

    # The mail client's one-click unsubscribe: a POST without any CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe_path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    assert "You are unsubscribed" in one_click.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None

    # And after that, nothing.
    with committed():
        post_update(admin, incident_id, notify=True, message="Resolved", status="RESOLVED")
    assert len(mail.outbox) == 1


# --- who is notified ----------------------------------------------------------------------------


def test_only_pages_showing_an_affected_monitor_are_notified(org, committed):
    api, web = MonitorFactory(organization=org), MonitorFactory(organization=org)
    api_page, web_page = StatusPageFactory(organization=org), StatusPageFactory(organization=org)
    StatusPageComponent.objects.create(page=api_page, monitor=api)
    StatusPageComponent.objects.create(page=web_page, monitor=web)
    confirmed(api_page, "api@example.com")
    confirmed(web_page, "web@example.com")

    with committed():
        incident = incident_services.incident_create(organization=org, title="API down", affected=[(api, None)])
        publish(incident)

    assert [email.to for email in mail.outbox] == [["api@example.com"]]


def test_incident_without_components_notifies_every_page_of_its_organization_only(org, other_org, committed):
    with_component, without = StatusPageFactory(organization=org), StatusPageFactory(organization=org)
    StatusPageComponent.objects.create(page=with_component, monitor=MonitorFactory(organization=org))
    confirmed(with_component, "one@example.com")
    confirmed(without, "two@example.com")
    confirmed(StatusPageFactory(organization=other_org), "outsider@example.com")

    with committed():
        incident = incident_services.incident_create(organization=org, title="Everything is slow")
        publish(incident)

    assert sorted(email.to[0] for email in mail.outbox) == ["one@example.com", "two@example.com"]


def test_an_address_on_two_pages_gets_one_email_per_update(org, monitor, committed):
    first, second = StatusPageFactory(organization=org), StatusPageFactory(organization=org)
    for status_page in (first, second):
        StatusPageComponent.objects.create(page=status_page, monitor=monitor)
    older = confirmed(first, "both@example.com")
    confirmed(second, "both@example.com")

    with committed():
        incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
        publish(incident, message="one")
        publish(incident, message="two")

    assert [email.to for email in mail.outbox] == [["both@example.com"], ["both@example.com"]]
    # Through the older subscription, whose unsubscribe link it carries.
    assert {header_link(email) for email in mail.outbox} == {f"/status/{first.slug}/unsubscribe/{older.token}"}
    assert SubscriberNotification.objects.count() == 2


def test_pending_and_unsubscribed_addresses_are_not_notified(org, page, monitor, committed):
    Subscriber.objects.create(page=page, email="pending@example.com", token=subscriptions.new_token())
    gone = confirmed(page, "gone@example.com")
    subscriptions.unsubscribe(token=gone.token)
    confirmed(page, "here@example.com")

    with committed():
        incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
        publish(incident)

    assert [email.to for email in mail.outbox] == [["here@example.com"]]
    assert SubscriberNotification.objects.count() == 1


def test_a_rolled_back_update_queues_nothing(org, page, monitor):
    confirmed(page, "ann@example.com")
    incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])

    with pytest.raises(RuntimeError), transaction.atomic():
        publish(incident)
        assert SubscriberNotification.objects.count() == 1
        raise RuntimeError

    assert SubscriberNotification.objects.count() == 0


# --- sending at most once -----------------------------------------------------------------------


def queue_notifications(org, page, monitor, count: int):
    """`count` confirmed subscribers and an update for them, its sending not yet run."""
    for n in range(count):
        confirmed(page, f"reader{n}@example.com")
    incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
    with mock.patch.object(tasks.send_notifications, "delay"):  # left to the test to send
        publish(incident)
    assert SubscriberNotification.objects.filter(sent_at__isnull=True).count() == count


def test_running_send_notifications_twice_sends_each_email_once(org, page, monitor):
    queue_notifications(org, page, monitor, 3)

    assert tasks.send_notifications() == 3
    assert tasks.send_notifications() == 0

    assert sorted(email.to[0] for email in mail.outbox) == [f"reader{n}@example.com" for n in range(3)]
    assert not SubscriberNotification.objects.filter(sent_at__isnull=True).exists()


def test_claimed_notifications_are_marked_sent_before_sending(org, page, monitor):
    queue_notifications(org, page, monitor, 3)

    claimed = tasks.claim_notifications(limit=2)

    assert len(claimed) == 2
    assert SubscriberNotification.objects.filter(id__in=claimed, sent_at__isnull=False).count() == 2
    assert mail.outbox == []
    # What one caller holds, no other gets.
    assert set(tasks.claim_notifications(limit=10)).isdisjoint(claimed)
    assert tasks.claim_notifications(limit=10) == []


def test_a_big_update_is_sent_in_several_batches(org, page, monitor, monkeypatch):
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    monkeypatch.setattr(tasks, "BATCHES_PER_RUN", 2)
    queue_notifications(org, page, monitor, 7)

    tasks.send_notifications()  # 2 batches, then a new (eager) run, and so on

    assert len(mail.outbox) == 7
    assert len({email.to[0] for email in mail.outbox}) == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_email_once(org, page, monitor):
    queue_notifications(org, page, monitor, 60)
    errors = []

    def worker():
        try:
            tasks.send_notifications()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    recipients = [email.to[0] for email in mail.outbox]
    assert len(recipients) == 60
    assert len(set(recipients)) == 60


@pytest.mark.django_db(transaction=True)
def test_claim_skips_rows_another_worker_has_locked(org, page, monitor):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("no row locks here: SQLite's IMMEDIATE transactions make each claim the only writer")
    queue_notifications(org, page, monitor, 3)
    oldest = SubscriberNotification.objects.order_by("created_at", "id").first().id
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(SubscriberNotification.objects.select_for_update().filter(id=oldest))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        claimed = tasks.claim_notifications(limit=10)  # does not wait for the lock
    finally:
        release.set()
        thread.join(10)

    assert len(claimed) == 2
    assert oldest not in claimed


class RefusingBackend(LocmemBackend):
    """Refuses mail to refused@…, as an SMTP server answering 550 would."""

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("refused@"):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 user secret-detail unknown")})
        return super().send_messages(messages)


class UnreachableBackend(LocmemBackend):
    def open(self):
        raise ConnectionRefusedError("[Errno 111] Connection refused to smtp-user:password@host")


def test_a_refused_email_records_a_short_error_and_is_not_sent_again(org, page, monitor, settings):
    settings.EMAIL_BACKEND = "tests.test_subscribers.RefusingBackend"
    confirmed(page, "refused@example.com")
    confirmed(page, "fine@example.com")
    incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
    publish(incident)

    assert tasks.send_notifications() == 1
    assert tasks.send_notifications() == 0

    assert [email.to for email in mail.outbox] == [["fine@example.com"]]
    refused = SubscriberNotification.objects.get(subscriber__email="refused@example.com")
    assert refused.sent_at is not None  # at most once: not retried
    assert refused.error == "SMTPRecipientsRefused 550"
    assert SubscriberNotification.objects.get(subscriber__email="fine@example.com").error == ""


def test_an_unreachable_mail_server_fails_the_batch_without_leaking_its_message(org, page, monitor, settings):
    settings.EMAIL_BACKEND = "tests.test_subscribers.UnreachableBackend"
    queue_notifications(org, page, monitor, 2)

    assert tasks.send_notifications() == 0

    assert mail.outbox == []
    assert set(SubscriberNotification.objects.values_list("error", flat=True)) == {"ConnectionRefusedError"}
    assert not SubscriberNotification.objects.filter(sent_at__isnull=True).exists()


def test_an_address_that_unsubscribes_before_sending_gets_nothing(org, page, monitor):
    subscriber = confirmed(page, "leaving@example.com")
    incident = incident_services.incident_create(organization=org, title="Down", affected=[(monitor, None)])
    publish(incident)
    subscriptions.unsubscribe(token=subscriber.token)

    assert tasks.send_notifications() == 0

    assert mail.outbox == []
    assert SubscriberNotification.objects.get().error == tasks.NOT_SENT_INACTIVE


def test_update_email_escapes_html_and_keeps_the_subject_on_one_line(org, page, monitor, committed):
    confirmed(page, "ann@example.com")

    with committed():
        incident = incident_services.incident_create(
            organization=org, title="<b>DB</b>\r\nBcc: evil@example.com", affected=[(monitor, None)]
        )
        publish(incident, message="Line one\n<script>alert(1)</script>")

    [email] = mail.outbox
    assert email.subject == "[Acme Status] <b>DB</b> Bcc: evil@example.com (Investigating)"
    assert email.to == ["ann@example.com"] and email.bcc == []
    assert "<script>alert(1)</script>" in email.body  # plain text is not HTML
    html = html_part(email)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>DB</b>" not in html
    message = email.message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# --- subscribing --------------------------------------------------------------------------------


def test_subscribe_takes_json_and_answers_json(client, page, committed):
    with committed():
        response = client.post(
            "/status/acme/subscribe", {"email": "  Bob@Example.COM "}, content_type="application/json"
        )

    assert response.status_code == 200
    assert "Check your inbox" in response.json()["message"]
    assert Subscriber.objects.get(page=page).email == "bob@example.com"
    assert [email.to for email in mail.outbox] == [["bob@example.com"]]


def test_subscribe_needs_no_csrf_token(page, committed):
    with committed():
        response = Client(enforce_csrf_checks=True).post("/status/acme/subscribe", {"email": "ann@example.com"})

    assert response.status_code == 200
    assert Subscriber.objects.filter(page=page, email="ann@example.com").exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        (None, "Enter an email address."),
        ("", "Enter an email address."),
        ("   ", "Enter an email address."),
        ("not-an-email", "Enter a valid email address."),
        ("ann@", "Enter a valid email address."),
        ("ann@example.com\nBcc: x@example.com", "Enter a valid email address."),
        ("a" * 250 + "@example.com", "An email address has at most 254 characters."),
    ],
)
def test_subscribe_with_a_bad_address_is_400_with_a_clear_message(client, page, committed, email, message):
    data = {} if email is None else {"email": email}
    with committed():
        response = client.post("/status/acme/subscribe", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_refused_address_gets_the_form_again_with_the_reason_and_the_address_kept(client, page, committed):
    with committed():
        response = client.post("/status/acme/subscribe", {"email": 'ann@example<"x">'})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form and form.group(1) == "http://testserver/status/acme/subscribe"
    email_input = re.search(r'<input id="email" name="email"[^>]*>', form.group(2)).group(0)
    assert 'value="ann@example&lt;&quot;x&quot;&gt;"' in email_input  # kept, and escaped
    assert 'aria-invalid="true"' in email_input
    assert '<p id="email-error" class="error">Enter a valid email address.</p>' in form.group(2)
    assert '<a href="http://testserver/status/acme/">← Back to Acme Status</a>' in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []

    # Sent again, corrected, from that form: subscribed.
    with committed():
        again = client.post(form.group(1), {"email": "ann@example.com"})
    assert again.status_code == 200
    assert Subscriber.objects.filter(page=page, email="ann@example.com").exists()


def test_too_many_attempts_also_keep_the_address_in_the_form(client, page, monkeypatch):
    from statuspages import public_views

    monkeypatch.setattr(public_views, "SUBSCRIBE_LIMIT", 0)
    response = client.post("/status/acme/subscribe", {"email": "ann@example.com"})

    assert response.status_code == 429
    assert 'value="ann@example.com"' in response.content.decode()
    assert public_views.TOO_MANY in response.content.decode()
    assert not Subscriber.objects.exists()


def test_subscription_pages_link_back_to_the_page_and_never_double_status(client, page, committed):
    """ "Acme Status" is not "Acme Status status" anywhere: not in a title, heading or link."""
    with committed():
        sent = client.post("/status/acme/subscribe", {"email": "ann@example.com"})
    token = Subscriber.objects.get().token
    pages = {
        "sent": sent,
        "confirmed": client.get(f"/status/acme/subscribe/confirm/{token}"),
        "unsubscribe": client.get(f"/status/acme/unsubscribe/{token}"),
        "unsubscribed": client.post(f"/status/acme/unsubscribe/{token}"),
        "invalid": client.post("/status/acme/subscribe", {"email": "nope"}),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert '<a href="http://testserver/status/acme/">← Back to Acme Status</a>' in html, name
        assert "status status" not in html.lower(), name
        assert re.search(r"<title>[^<]* · Acme Status</title>", html), name


@pytest.mark.parametrize(
    "body",
    ['{"email": 5}', '{"email": null}', '{"email": ["ann@example.com"]}', '["ann@example.com"]', "{nope", " "],
)
def test_subscribe_with_bad_json_is_400_in_the_error_envelope(client, page, body):
    response = client.post("/status/acme/subscribe", body, content_type="application/json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"]["email"]
    assert not Subscriber.objects.exists()


def test_subscribe_with_a_nul_byte_is_400(client, page):
    response = client.post(
        "/status/acme/subscribe", '{"email": "ann\\u0000@example.com"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_subscribe_to_an_unknown_or_non_public_page_is_404(client, org):
    StatusPageFactory(organization=org, slug="internal", is_public=False)

    for slug in ("nope", "internal"):
        page_response = client.post(f"/status/{slug}/subscribe", {"email": "ann@example.com"})
        assert page_response.status_code == 404
        assert "text/html" in page_response["Content-Type"]
        json_response = client.post(
            f"/status/{slug}/subscribe", {"email": "ann@example.com"}, content_type="application/json"
        )
        assert json_response.status_code == 404
        assert json_response.json()["error"]["code"] == "not_found"
    assert not Subscriber.objects.exists()


def test_subscribe_by_get_is_405(client, page):
    assert client.get("/status/acme/subscribe").status_code == 405


def test_the_answer_never_reveals_whether_the_address_was_subscribed(client, page, committed):
    def answer(email: str) -> bytes:
        with committed():
            response = client.post("/status/acme/subscribe", {"email": email})
        assert response.status_code == 200
        return response.content

    new = answer("ann@example.com")
    pending = answer("ann@example.com")
    subscriptions.confirm(token=Subscriber.objects.get().token)
    already = answer("ann@example.com")

    assert new == pending == already


def test_subscribing_a_confirmed_address_again_adds_no_row_and_sends_nothing(client, page, committed):
    subscriber = confirmed(page, "ann@example.com")

    with committed():
        response = client.post("/status/acme/subscribe", {"email": "ANN@example.com"})

    assert response.status_code == 200
    assert list(Subscriber.objects.values_list("id", "token")) == [(subscriber.id, subscriber.token)]
    assert mail.outbox == []


def test_subscribing_a_pending_address_again_sends_a_fresh_link(client, page, committed):
    for _ in range(2):
        with committed():
            client.post("/status/acme/subscribe", {"email": "ann@example.com"})

    assert Subscriber.objects.count() == 1
    first, second = (links(email)[0] for email in mail.outbox)
    assert first != second
    assert client.get(first).status_code == 404  # the older link is void
    assert client.get(second).status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


def test_subscribing_again_after_unsubscribing_needs_a_new_confirmation(client, page, committed):
    old = confirmed(page, "ann@example.com")
    client.post(f"/status/acme/unsubscribe/{old.token}")

    with committed():
        response = client.post("/status/acme/subscribe", {"email": "ann@example.com"})

    assert response.status_code == 200
    renewed = Subscriber.objects.get()
    assert renewed.id == old.id
    assert renewed.token != old.token
    assert (renewed.confirmed_at, renewed.unsubscribed_at) == (None, None)
    [confirmation] = mail.outbox
    assert links(confirmation) == [f"/status/acme/subscribe/confirm/{renewed.token}"]
    assert client.get(f"/status/acme/unsubscribe/{old.token}").status_code == 404


def test_the_same_address_may_subscribe_to_two_pages(client, org, page, committed):
    StatusPageFactory(organization=org, slug="other")

    with committed():
        client.post("/status/acme/subscribe", {"email": "ann@example.com"})
        client.post("/status/other/subscribe", {"email": "ann@example.com"})

    assert sorted(Subscriber.objects.values_list("page__slug", flat=True)) == ["acme", "other"]
    assert len(mail.outbox) == 2


# --- confirming ---------------------------------------------------------------------------------


def test_confirm_page_does_not_leak_its_token(client, page):
    subscriber = Subscriber.objects.create(page=page, email="ann@example.com", token=subscriptions.new_token())

    response = client.get(f"/status/acme/subscribe/confirm/{subscriber.token}")

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode().split("<body>")[1]
    # No outside link at all: only the way back to the status page, which never gets the token.
    assert re.findall(r'(?:href|src|action)="([^"]*)"', body) == ["http://testserver/status/acme/"]
    assert subscriber.token not in body


@pytest.mark.parametrize("token", ["x", "A" * 43, "..", "%00" * 30])
def test_confirm_with_an_unknown_token_is_404(client, page, token):
    Subscriber.objects.create(page=page, email="ann@example.com", token=subscriptions.new_token())

    response = client.get(f"/status/acme/subscribe/confirm/{token}")

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


def test_confirm_under_another_pages_slug_is_404(client, org, page):
    StatusPageFactory(organization=org, slug="other")
    subscriber = Subscriber.objects.create(page=page, email="ann@example.com", token=subscriptions.new_token())

    assert client.get(f"/status/other/subscribe/confirm/{subscriber.token}").status_code == 404
    assert Subscriber.objects.get().confirmed_at is None


def test_confirming_twice_keeps_the_first_time(client, page):
    subscriber = Subscriber.objects.create(page=page, email="ann@example.com", token=subscriptions.new_token())
    path = f"/status/acme/subscribe/confirm/{subscriber.token}"

    assert client.get(path).status_code == 200
    first = Subscriber.objects.get().confirmed_at
    assert client.get(path).status_code == 200

    assert Subscriber.objects.get().confirmed_at == first


def test_an_old_confirmation_link_cannot_undo_an_unsubscribe(client, page):
    subscriber = Subscriber.objects.create(page=page, email="ann@example.com", token=subscriptions.new_token())
    client.post(f"/status/acme/unsubscribe/{subscriber.token}")

    response = client.get(f"/status/acme/subscribe/confirm/{subscriber.token}")

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert subscriber.unsubscribed_at is not None


# --- unsubscribing ------------------------------------------------------------------------------


def test_unsubscribe_link_shows_a_button_and_changes_nothing(client, page):
    subscriber = confirmed(page, "ann@example.com")

    response = client.get(f"/status/acme/unsubscribe/{subscriber.token}")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html and "<button" in html
    assert response["Referrer-Policy"] == "no-referrer"
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_unsubscribe_post_is_idempotent(client, page):
    subscriber = confirmed(page, "ann@example.com")
    path = f"/status/acme/unsubscribe/{subscriber.token}"

    assert client.post(path).status_code == 200
    first = Subscriber.objects.get().unsubscribed_at
    again = client.post(path)
    shown = client.get(path)

    assert again.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at == first
    assert "You are unsubscribed" in shown.content.decode()
    assert "<button" not in shown.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_with_an_unknown_token_is_404(client, org, page, method):
    subscriber = confirmed(page, "ann@example.com")
    StatusPageFactory(organization=org, slug="other")

    for path in (
        f"/status/acme/unsubscribe/{'A' * 43}",
        "/status/acme/unsubscribe/short",
        f"/status/other/unsubscribe/{subscriber.token}",
        f"/status/nope/unsubscribe/{subscriber.token}",
    ):
        response = getattr(client, method)(path)
        assert response.status_code == 404, path
        assert "not valid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None


def test_unsubscribe_still_works_once_the_page_is_no_longer_public(client, page):
    subscriber = confirmed(page, "ann@example.com")
    page.is_public = False
    page.save()

    assert client.post(f"/status/acme/unsubscribe/{subscriber.token}").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_link_names_reverse_to_the_documented_paths():
    assert reverse("statuspages:subscribe", args=["acme"]) == "/status/acme/subscribe"
    assert reverse("statuspages:subscribe-confirm", args=["acme", "t0k"]) == "/status/acme/subscribe/confirm/t0k"
    assert reverse("statuspages:unsubscribe", args=["acme", "t0k"]) == "/status/acme/unsubscribe/t0k"


# --- admin --------------------------------------------------------------------------------------


def test_subscriber_admin_never_shows_the_token(client, django_user_model, page):
    subscriber = confirmed(page, "ann@example.com")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "a-long-password-1"))

    change = client.get(reverse("admin:statuspages_subscriber_change", args=[quote(subscriber.pk)]))
    listing = client.get(reverse("admin:statuspages_subscriber_changelist"))

    assert change.status_code == listing.status_code == 200
    assert "ann@example.com" in change.content.decode()
    assert subscriber.token not in change.content.decode()
    assert subscriber.token not in listing.content.decode()
