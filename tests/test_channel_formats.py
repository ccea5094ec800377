"""Each alert channel speaks its service's documented format: rendered, sent over real HTTP (or
SMTP) to a receiver on 127.0.0.1, and checked as received."""

import base64
import json
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection

from tests.channel_receivers import (
    CHECKERS,
    KINDS,
    Receiver,
    SmtpReceiver,
    check_email,
    configs_for,
    hosts_for,
    ntfy_decode,
    sample_message,
    send,
    telegram_visible,
)
from webhooks.channels import TYPES, ConfigError, Email, Hosts, Request, render, validate_config

HTTP_TYPES = sorted(CHECKERS)


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(scope="module")
def smtp():
    server = SmtpReceiver()
    yield server
    server.close()


def deliver(receiver: Receiver, type_name: str, message) -> None:
    """Render for `type_name`, send it to the receiver, and run the service's checker on what arrived."""
    config = validate_config(type_name, configs_for(receiver)[type_name])
    request = render(type_name, config, message, hosts_for(receiver))
    assert isinstance(request, Request)
    receiver.requests.clear()
    assert send(request) == 200
    CHECKERS[type_name](receiver.take(), message, config)


def mail(smtp: SmtpReceiver, config: dict, message):
    """Render an email and send it with Django's SMTP backend; the message the server received."""
    rendered = render("email", config, message, Hosts())
    assert isinstance(rendered, Email)
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=smtp.port,
        username="",
        password="",
        use_tls=False,
        use_ssl=False,
        timeout=5,
    )
    email = EmailMultiAlternatives(
        rendered.subject, rendered.text, "StatusApp <status@localhost>", list(rendered.to), connection=connection
    )
    email.attach_alternative(rendered.html, "text/html")
    smtp.messages.clear()
    assert email.send() == 1
    assert len(smtp.messages) == 1
    return smtp.messages[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("type_name", HTTP_TYPES)
def test_every_kind_reaches_every_service_in_its_format(receiver, type_name, kind):
    deliver(receiver, type_name, sample_message(kind))


@pytest.mark.parametrize("type_name", HTTP_TYPES)
def test_a_dependency_that_explains_the_outage_is_named(receiver, type_name):
    deliver(receiver, type_name, sample_message("down", caused_by="Core database"))


@pytest.mark.parametrize("kind", KINDS)
def test_email_of_every_kind_arrives_over_smtp_with_its_links(smtp, kind):
    config = validate_config("email", {"to": ["ops@example.com", "oncall@example.org"]})
    message = sample_message(kind, caused_by="Core database" if kind == "down" else "")
    received = mail(smtp, config, message)
    check_email(received, message, config)
    assert str(received["Subject"]).strip().startswith("[StatusApp] ")
    assert smtp.mailbox.envelopes[-1].rcpt_tos == config["to"]


def test_email_names_what_failed_and_since_when(smtp):
    config = {"to": ["ops@example.com"]}
    received = mail(smtp, config, sample_message("down"))
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Status code: 503" in text
    assert "Error: HTTP 503 Service Unavailable" in text
    assert "Response time: 132 ms" in text
    assert "Down since: 2030-01-01 11:30 UTC" in text
    up = mail(smtp, config, sample_message("up")).get_body(preferencelist=("plain",)).get_content()
    assert "Downtime: 12m 5s" in up


def test_reminder_and_ssl_facts_are_shown(receiver):
    config = configs_for(receiver)["telegram"]
    text = render("telegram", config, sample_message("ssl_expiring"), hosts_for(receiver))
    assert "<b>Days left:</b> 6" in text.body.decode()
    assert "30 min" in telegram_visible(
        render("telegram", config, sample_message("reminder"), hosts_for(receiver)).body.decode()
    )


# --- limits ---------------------------------------------------------------------------------------


def huge_message(kind: str):
    name = "N" * 300
    return sample_message(
        kind,
        monitor_name=name,
        title=f"{name} is DOWN",
        summary="S" * 5000,
        error="E" * 10_000,
        target="https://api.example.com/" + "p" * 1000,
        caused_by="C" * 300,
    )


@pytest.mark.parametrize("kind", ["down", "up", "test"])
@pytest.mark.parametrize("type_name", HTTP_TYPES)
def test_long_names_and_errors_are_cut_to_each_services_limits(receiver, type_name, kind):
    deliver(receiver, type_name, huge_message(kind))


def test_long_fields_are_cut_visibly(receiver):
    hosts, configs = hosts_for(receiver), configs_for(receiver)
    message = huge_message("down")
    slack = render("slack", configs["slack"], message, hosts)
    assert '"text": "' + "N" * 149 + '…"' in slack.body.decode()  # the header's 150
    pd = render("pagerduty", configs["pagerduty"], message, hosts)
    assert "…" in pd.body.decode()
    sms = render("sms", configs["sms"], message, hosts)
    assert b"%E2%80%A6" in sms.body  # an ellipsis, form-encoded


def test_email_of_a_huge_error_still_arrives_whole_enough(smtp):
    config = {"to": ["ops@example.com"]}
    message = huge_message("down")
    received = mail(smtp, config, message)
    check_email(received, message, config)
    assert len(render("email", config, message, Hosts()).subject) <= 200
    assert str(received["Subject"]).strip().endswith("…")


# --- escaping -------------------------------------------------------------------------------------

TRICKY = '<b>&"x"'


def tricky_message():
    return sample_message(
        "down", monitor_name=TRICKY, title=f"{TRICKY} is DOWN", error="<script>alert(1)</script> & more"
    )


def test_slack_mrkdwn_escapes_ampersand_and_angle_brackets(receiver):
    deliver(receiver, "slack", tricky_message())
    request = render("slack", configs_for(receiver)["slack"], tricky_message(), hosts_for(receiver))
    body = json.loads(request.body)
    assert body["text"].startswith(':red_circle: *&lt;b&gt;&amp;"x" is DOWN*')
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in body["text"]
    assert body["blocks"][0]["text"]["text"] == f"{TRICKY} is DOWN"  # plain_text is not parsed
    fields = [f["text"] for block in body["blocks"] for f in block.get("fields", [])]
    assert '*Monitor*\n&lt;b&gt;&amp;"x"' in fields


def test_telegram_html_escapes_only_what_parse_mode_needs(receiver):
    deliver(receiver, "telegram", tricky_message())
    request = render("telegram", configs_for(receiver)["telegram"], tricky_message(), hosts_for(receiver))
    text = json.loads(request.body)["text"]
    assert '<b>&lt;b&gt;&amp;"x" is DOWN</b>' in text
    assert "&lt;script&gt;" in text and "<script>" not in text
    assert '<a href="https://status.example.com/ack/mon_8f2a?t=abc&amp;x=1">Acknowledge</a>' in text


def test_email_html_escapes_the_monitor_name(smtp):
    config = {"to": ["ops@example.com"]}
    message = tricky_message()
    received = mail(smtp, config, message)
    check_email(received, message, config)
    body = received.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;&amp;&quot;x&quot; is DOWN" in body
    assert "<script>" not in body
    assert str(received["Subject"]).strip() == f"[StatusApp] {TRICKY} is DOWN"


def test_ntfy_sends_non_ascii_names_as_rfc2047_headers(receiver):
    message = sample_message("down", monitor_name="Zürich API ✓", title="Zürich API ✓ is DOWN")
    request = render("ntfy", configs_for(receiver)["ntfy"], message, hosts_for(receiver))
    title = request.headers["Title"]
    assert title.isascii() and title.startswith("=?UTF-8?B?")
    assert base64.b64decode(title[len("=?UTF-8?B?") : -2]).decode() == "Zürich API ✓ is DOWN"
    deliver(receiver, "ntfy", message)
    assert ntfy_decode(request.headers["Title"]) == "Zürich API ✓ is DOWN"


def test_ascii_ntfy_titles_are_sent_as_they_are(receiver):
    request = render("ntfy", configs_for(receiver)["ntfy"], sample_message("down"), hosts_for(receiver))
    assert request.headers["Title"] == "API is DOWN"
    assert (
        request.headers["Actions"] == "view, Acknowledge, https://status.example.com/ack/mon_8f2a?t=abc&x=1, clear=true"
    )


def test_ntfy_without_a_token_sends_no_authorization(receiver):
    config = {"url": configs_for(receiver)["ntfy"]["url"]}
    deliver_config = validate_config("ntfy", config | {"token": ""})
    assert deliver_config == config
    request = render("ntfy", deliver_config, sample_message("down"), hosts_for(receiver))
    assert "Authorization" not in request.headers


def test_discord_disables_mentions_from_monitor_names(receiver):
    message = sample_message("down", monitor_name="@everyone", title="@everyone is DOWN")
    deliver(receiver, "discord", message)


# --- paging semantics -----------------------------------------------------------------------------


def test_pagerduty_tests_never_share_a_real_outages_dedup_key(receiver):
    hosts, config = hosts_for(receiver), configs_for(receiver)["pagerduty"]
    first = sample_message("test")
    later = sample_message("test", occurred_at=first.occurred_at + timedelta(seconds=1))
    keys = {json.loads(render("pagerduty", config, m, hosts).body)["dedup_key"] for m in (first, later)}
    assert len(keys) == 2 and first.dedup_key not in keys


def test_degraded_triggers_a_warning_and_its_recovery_resolves(receiver):
    hosts, config = hosts_for(receiver), configs_for(receiver)["pagerduty"]
    degraded = json.loads(render("pagerduty", config, sample_message("degraded"), hosts).body)
    assert (degraded["event_action"], degraded["payload"]["severity"]) == ("trigger", "warning")
    up = json.loads(render("pagerduty", config, sample_message("up"), hosts).body)
    assert (up["event_action"], up["dedup_key"]) == ("resolve", degraded["dedup_key"])


def test_opsgenie_closes_by_an_url_encoded_alias(receiver):
    message = sample_message("up", dedup_key="mon/8f2a #1")
    deliver(receiver, "opsgenie", message)
    request = render("opsgenie", configs_for(receiver)["opsgenie"], message, hosts_for(receiver))
    assert request.url.endswith("/v2/alerts/mon%2F8f2a%20%231/close?identifierType=alias")


# --- the registry and config validation ------------------------------------------------------------


def test_registry_names_required_and_secret_fields():
    expected = {
        "email": ({"to"}, set()),
        "slack": ({"url"}, {"url"}),
        "discord": ({"url"}, {"url"}),
        "teams": ({"url"}, {"url"}),
        "googlechat": ({"url"}, {"url"}),
        "telegram": ({"botToken", "chatId"}, {"botToken"}),
        "pagerduty": ({"routingKey"}, {"routingKey"}),
        "opsgenie": ({"apiKey"}, {"apiKey"}),
        "ntfy": ({"url"}, {"url", "token"}),
        "pushover": ({"token", "user"}, {"token", "user"}),
        "sms": ({"accountSid", "authToken", "from", "to"}, {"authToken"}),
    }
    assert set(TYPES) == set(expected)
    for name, (required, secret) in expected.items():
        assert (set(TYPES[name].required), set(TYPES[name].secret)) == (required, secret), name
        assert TYPES[name].hint and TYPES[name].label


def test_every_sample_config_is_valid_and_comes_back_clean(receiver):
    for name, config in configs_for(receiver).items():
        assert validate_config(name, config) == config
    assert validate_config("slack", {"url": "  https://hooks.slack.com/services/T/B/x  "}) == {
        "url": "https://hooks.slack.com/services/T/B/x"
    }


BAD_CONFIGS = [
    ("slack", {}, "url", "required"),
    ("slack", {"url": ""}, "url", "required"),
    ("slack", {"url": "https://x.example/h", "channel": "#ops"}, "channel", "Unknown"),
    ("slack", {"url": "ftp://x.example/h"}, "url", "http"),
    ("slack", {"url": "javascript:alert(1)"}, "url", "http"),
    ("slack", {"url": "https:///nohost"}, "url", "host"),
    ("slack", {"url": "https://x.example:99999/h"}, "url", "valid URL"),
    ("slack", {"url": "https://x.example/h\r\nX-Evil: 1"}, "url", "line breaks"),
    ("slack", {"url": "https://x.example/" + "a" * 2100}, "url", "2048"),
    ("slack", {"url": 42}, "url", "string"),
    ("discord", {"url": "https://x.example/a b"}, "url", "spaces"),
    ("email", {"to": "ops@example.com"}, "to", "list"),
    ("email", {"to": []}, "to", "list"),
    ("email", {"to": ["not-an-email"]}, "to", "not a valid email"),
    ("email", {"to": ["ops@example.com\r\nBcc: x@evil.example"]}, "to", "line breaks"),
    ("email", {"to": [f"u{i}@example.com" for i in range(21)]}, "to", "20"),
    ("telegram", {"botToken": "123:short", "chatId": "1"}, "botToken", "BotFather"),
    ("telegram", {"botToken": "123456789:AAE-abcdefghijklmnopqrstuvwxyz_0123", "chatId": "me"}, "chatId", "@"),
    ("telegram", {"botToken": "123456789:AAE-abcdefghijklmnopqrstuvwxyz_0123/../x", "chatId": "1"}, "botToken", ""),
    ("pagerduty", {"routingKey": "k" * 501}, "routingKey", "500"),
    ("opsgenie", {"apiKey": "abc\ndef"}, "apiKey", "line breaks"),
    ("opsgenie", {"apiKey": "abc def"}, "apiKey", "spaces"),
    ("ntfy", {"url": "https://ntfy.sh/"}, "url", "topic"),
    ("ntfy", {"url": "https://ntfy.sh/t", "token": "tk_1\r\nX-Evil: 1"}, "token", "line breaks"),
    ("pushover", {"token": "short", "user": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"}, "token", "30"),
    ("sms", {"accountSid": "AC1", "authToken": "t", "from": "+15005550006", "to": "+4179"}, "accountSid", "AC"),
    (
        "sms",
        {"accountSid": "AC" + "0" * 32, "authToken": "t", "from": "15005550006", "to": "+41791234567"},
        "from",
        "E.164",
    ),
    ("sms", {"accountSid": "AC" + "0" * 32, "authToken": "t", "from": "+15005550006", "to": "+4179"}, "to", "E.164"),
]


@pytest.mark.parametrize(("type_name", "config", "field", "text"), BAD_CONFIGS)
def test_bad_configs_are_refused_field_by_field(type_name, config, field, text):
    with pytest.raises(ConfigError) as caught:
        validate_config(type_name, config)
    assert field in caught.value.fields
    assert text in " ".join(caught.value.fields[field])


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        validate_config("sms", {"accountSid": "x", "from": "1", "extra": 1})
    assert set(caught.value.fields) == {"accountSid", "authToken", "from", "to", "extra"}


def test_unknown_types_and_non_objects_are_refused():
    with pytest.raises(ConfigError) as caught:
        validate_config("webhook", {"url": "https://x.example"})
    assert "type" in caught.value.fields
    with pytest.raises(ConfigError) as caught:
        validate_config("slack", ["https://x.example"])
    assert "config" in caught.value.fields
    with pytest.raises(ConfigError):
        render("apprise", {}, sample_message("down"), Hosts())


def test_private_addresses_are_left_to_the_connect_time_guard():
    assert validate_config("slack", {"url": "http://127.0.0.1:8080/hook"}) == {"url": "http://127.0.0.1:8080/hook"}
