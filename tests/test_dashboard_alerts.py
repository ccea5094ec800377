"""Dashboard: alert channels, their delivery logs, and acknowledging a DOWN monitor.

The forms go through the API's serializer and the alerts services; these tests check what
the pages show and store. Nothing is delivered here: a test alert stays a pending row,
its transaction never committing (the browser test sends one to a real receiver).
"""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.plans import Plan
from alerts import messages as alert_messages
from alerts import services
from alerts.models import Alert, AlertAttempt, AlertChannel
from monitors.models import Monitor

from .factories import MonitorFactory, OrganizationFactory, WebhookEndpointFactory

BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SLACK_URL = "https://hooks.slack.com/services/T0001/B0001/s3cr3tTOKENabcdefghijkl"
PAGERDUTY_KEY = "R0123456789ABCDEF0123456789ABCDE"


@pytest.fixture
def admin_client(client, person, org):
    person(org, "admin", client)
    return client


@pytest.fixture
def member_client(client, person, org):
    person(org, "member", client)
    return client


@pytest.fixture
def viewer_client(client, person, org):
    person(org, "viewer", client)
    return client


def slack_channel(org, **fields) -> AlertChannel:
    return services.channel_create(
        organization=org, name=fields.pop("name", "#ops"), type="slack", config={"url": SLACK_URL}, **fields
    )


def form(**overrides) -> dict:
    data = {
        "name": "#ops on Slack",
        "config-url": SLACK_URL,
        "events": ["monitor.down", "monitor.up"],
        "all_monitors": "on",
        "enabled": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def field_error(html: str, field: str) -> str:
    assert f'id="e-{field}"' in html, html[:4000]
    error = html[html.index(f'id="e-{field}"') :]
    return error[: error.index("</p>")]


def make_alert(channel, *, minutes=0, kind="down", status="delivered", attempts=((200, "ok"),), title="API is DOWN"):
    created_at = BASE + timedelta(minutes=minutes)
    message = alert_messages.dumps(
        alert_messages.Message(kind=kind, status="DOWN", title=title, summary="", occurred_at=created_at, dedup_key="k")
    )
    finished = status != Alert.Status.PENDING
    alert = Alert.objects.create(
        channel=channel,
        kind=kind,
        message=message,
        status=status,
        attempts=len(attempts),
        created_at=created_at,
        finished_at=created_at if finished else None,
        next_attempt_at=None if finished else created_at + timedelta(minutes=5),
    )
    AlertAttempt.objects.bulk_create(
        AlertAttempt(
            delivery=alert,
            attempted_at=created_at + timedelta(seconds=n),
            status_code=code,
            duration_ms=40 + n,
            error="" if code and code < 300 else (f"HTTP {code}" if code else "connection refused"),
            response_head=head,
        )
        for n, (code, head) in enumerate(attempts)
    )
    return alert


# --- the list and the nav ---


def test_list_shows_type_events_coverage_state_and_last_alert(admin_client, org, other_org):
    everyone = services.channel_create(
        organization=org, name="On-call email", type="email", config={"to": ["oncall@example.com"]}, all_monitors=True
    )
    slack = slack_channel(org, events=["monitor.down"])
    MonitorFactory.create_batch(2, organization=org, alert_channels=[slack.id])
    MonitorFactory(organization=org)
    services.channel_create(
        organization=org, name="Pager", type="pagerduty", config={"routingKey": PAGERDUTY_KEY}, enabled=False
    )
    slack_channel(other_org, name="Their channel")
    make_alert(slack, status="failed", attempts=((500, "oops"),))

    response = admin_client.get("/alerts/channels/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Alerts</a>' in html
    for text in ("On-call email", "Email", "#ops", "Slack", "Pager", "PagerDuty", "All monitors", "2 monitors"):
        assert text in html
    slack_row = html[html.index(f'data-channel="{slack.id}"') :]
    slack_row = slack_row[: slack_row.index("</tr>")]
    assert "<td>Down</td>" in slack_row and 'class="badge DOWN">Failed' in slack_row
    email_row = html[html.index(f'data-channel="{everyone.id}"') :]
    assert "Down, Up, Certificate expiring" in email_row[: email_row.index("</tr>")]
    assert "None yet" in email_row[: email_row.index("</tr>")]
    assert 'class="badge DOWN">Disabled' in html and "Disabled by a user" in html
    assert "Their channel" not in html
    assert "3 of the 50 channels" in html  # the professional plan
    assert SLACK_URL not in html and PAGERDUTY_KEY not in html


def test_viewers_read_the_list_but_get_no_new_button_nor_form(viewer_client, org):
    channel = slack_channel(org)
    html = viewer_client.get("/alerts/channels/").content.decode()
    assert "#ops" in html and "New channel" not in html and "/edit" not in html
    assert viewer_client.get(f"/alerts/channels/{channel.id}/").status_code == 200
    assert viewer_client.get("/alerts/channels/new").status_code == 403
    assert viewer_client.post("/alerts/channels/new/slack", form()).status_code == 403
    assert viewer_client.post(f"/alerts/channels/{channel.id}/test").status_code == 403
    assert not Alert.objects.exists() and AlertChannel.objects.count() == 1


def test_at_the_plan_limit_the_new_button_names_it_and_create_refuses(admin_client, org):
    org.plan = Plan.FREE
    org.save()
    slack_channel(org, name="one")
    slack_channel(org, name="two")

    html = admin_client.get("/alerts/channels/").content.decode()
    assert "data-plan-limit" in html and "Plan limit reached: 2 alert channels on Free" in html

    response = admin_client.post("/alerts/channels/new/slack", form(name="three"))
    assert response.status_code == 400
    assert "allows 2 alert channels" in response.content.decode()
    assert AlertChannel.objects.filter(organization=org).count() == 2


# --- picking a type, creating ---


def test_the_type_picker_offers_every_type_with_its_hint_and_apprise_only_when_on(member_client, settings):
    settings.STATUSAPP_APPRISE = False
    html = member_client.get("/alerts/channels/new").content.decode()
    for name in ("email", "slack", "discord", "teams", "googlechat", "telegram", "pagerduty", "opsgenie"):
        assert f'href="/alerts/channels/new/{name}"' in html
    for name in ("ntfy", "pushover", "sms", "webhook"):
        assert f'href="/alerts/channels/new/{name}"' in html
    assert "Apps › Incoming Webhooks" in html  # Slack's hint
    assert "apprise" not in html
    assert member_client.get("/alerts/channels/new/apprise").status_code == 404
    assert member_client.get("/alerts/channels/new/carrier-pigeon").status_code == 404

    settings.STATUSAPP_APPRISE = True
    assert 'href="/alerts/channels/new/apprise"' in member_client.get("/alerts/channels/new").content.decode()
    assert member_client.get("/alerts/channels/new/apprise").status_code == 200


def test_the_slack_form_has_a_password_input_and_the_hint_under_it(member_client):
    html = member_client.get("/alerts/channels/new/slack").content.decode()
    assert 'name="config-url" type="password"' in html
    assert "data-hint>Slack: Apps › Incoming Webhooks › Add New Webhook to Workspace" in html
    for event in ("monitor.down", "monitor.up", "ssl.expiring"):  # the default events
        assert f'value="{event}" checked' in html
    assert 'value="incident.created" checked' not in html
    assert 'name="all_monitors" checked' in html and 'name="enabled" checked' in html


def test_a_member_creates_a_slack_channel(member_client, org):
    response = member_client.post("/alerts/channels/new/slack", form())

    channel = AlertChannel.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == f"/alerts/channels/{channel.id}/"
    assert (channel.name, channel.type, channel.config) == ("#ops on Slack", "slack", {"url": SLACK_URL})
    assert channel.events == ["monitor.down", "monitor.up"] and channel.all_monitors and channel.enabled
    page = member_client.get(response["Location"]).content.decode()
    assert "Alert channel #ops on Slack created." in page
    assert "https://hooks.slack.com/••••" in page and SLACK_URL not in page


def test_a_new_email_channel_suggests_the_person_s_own_address(member_client):
    html = member_client.get("/alerts/channels/new/email").content.decode()
    assert ">member@example.com</textarea>" in html
    assert "member@example.com<" not in member_client.get("/alerts/channels/new/slack").content.decode()


def test_an_email_channel_takes_addresses_separated_by_commas_or_lines(member_client, org):
    data = {"name": "Team", "config-to": "a@example.com, b@example.com\nc@example.com", "events": ["monitor.down"]}
    response = member_client.post("/alerts/channels/new/email", data)

    assert response.status_code == 302
    channel = AlertChannel.objects.get(organization=org)
    assert channel.config == {"to": ["a@example.com", "b@example.com", "c@example.com"]}
    assert not channel.all_monitors and not channel.enabled
    assert channel.disabled_reason == AlertChannel.DisabledReason.USER


def test_a_telegram_channel_with_its_two_fields(member_client, org):
    token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc"
    data = {"name": "TG", "config-botToken": token, "config-chatId": "-1001234567890", "events": ["monitor.down"]}
    assert member_client.post("/alerts/channels/new/telegram", data).status_code == 302
    assert AlertChannel.objects.get(organization=org).config == {"botToken": token, "chatId": "-1001234567890"}


@pytest.mark.parametrize(
    ("channel_type", "data", "field", "message"),
    [
        ("slack", {"config-url": "hooks.slack.com/x"}, "url", "Enter an http:// or https:// URL with a host."),
        ("slack", {"config-url": ""}, "url", "This field is required."),
        ("email", {"config-to": "ops@, b@example.com"}, "to", "&#x27;ops@&#x27; is not a valid email address."),
        ("telegram", {"config-botToken": "nope", "config-chatId": "-100"}, "botToken", "Paste the token BotFather"),
        ("sms", {"config-accountSid": "AC12", "config-authToken": "t", "config-from": "+15550100"}, "accountSid", "AC"),
        ("sms", {"config-accountSid": "AC12", "config-authToken": "t", "config-from": "+15550100"}, "to", "required"),
        ("ntfy", {"config-url": "https://ntfy.sh/"}, "url", "Enter the topic&#x27;s URL"),
        ("webhook", {"config-endpoint": ""}, "endpoint", "This field is required"),
        ("webhook", {"config-endpoint": "wh_nothere"}, "endpoint", "Unknown webhook endpoint: wh_nothere."),
    ],
)
def test_config_errors_show_under_their_field(member_client, org, channel_type, data, field, message):
    response = member_client.post(
        f"/alerts/channels/new/{channel_type}", {"name": "x", "events": ["monitor.down"], **data}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_error(html, field)
    assert 'class="field invalid"' in html
    assert not AlertChannel.objects.exists()


def test_form_errors_keep_what_was_typed_but_never_a_secret(member_client):
    response = member_client.post("/alerts/channels/new/slack", form(name="", events=None))

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field may not be blank." in field_error(html, "name")
    assert "This list may not be empty." in field_error(html, "events")
    assert SLACK_URL not in html and 'name="config-url" type="password"' in html
    assert 'value=""' in html[html.index('name="config-url"') :][:300]

    typed = member_client.post("/alerts/channels/new/telegram", {"name": "TG", "config-chatId": "@ops_room"})
    html = typed.content.decode()
    assert 'value="TG"' in html and 'value="@ops_room"' in html
    assert "This field is required." in field_error(html, "botToken")


def test_a_webhook_channel_picks_one_of_the_organizations_endpoints(member_client, org, other_org):
    mine = WebhookEndpointFactory(organization=org, url="https://hooks.example.com/mine")
    theirs = WebhookEndpointFactory(organization=other_org, url="https://theirs.example.com/hook")

    html = member_client.get("/alerts/channels/new/webhook").content.decode()
    assert f'<option value="{mine.id}">https://hooks.example.com/mine</option>' in html
    assert theirs.id not in html
    assert "signed with its secret" in html

    refused = member_client.post(
        "/alerts/channels/new/webhook", {"name": "x", "events": ["monitor.down"], "config-endpoint": theirs.id}
    )
    assert refused.status_code == 400 and "Unknown webhook endpoint" in field_error(
        refused.content.decode(), "endpoint"
    )

    response = member_client.post(
        "/alerts/channels/new/webhook", {"name": "Bot", "events": ["monitor.down"], "config-endpoint": mine.id}
    )
    assert response.status_code == 302
    channel = AlertChannel.objects.get(organization=org)
    assert channel.config == {"endpoint": mine.id}
    assert "https://hooks.example.com/mine" in member_client.get(response["Location"]).content.decode()


def test_a_webhook_form_without_endpoints_says_where_to_add_one(member_client):
    html = member_client.get("/alerts/channels/new/webhook").content.decode()
    assert "You have no webhook endpoint yet" in html


# --- editing: secrets kept ---


def test_edit_shows_the_mask_never_the_secret_and_keeps_it_when_left_empty(member_client, org):
    channel = slack_channel(org)

    html = member_client.get(f"/alerts/channels/{channel.id}/edit").content.decode()
    assert SLACK_URL not in html and "s3cr3t" not in html
    assert 'placeholder="https://hooks.slack.com/••••"' in html and "Leave empty to keep it" in html
    assert 'value="#ops"' in html

    response = member_client.post(
        f"/alerts/channels/{channel.id}/edit", form(name="#ops renamed", **{"config-url": ""})
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "#ops renamed" and channel.config == {"url": SLACK_URL}


def test_edit_replaces_a_secret_typed_anew_and_keeps_the_mask_sent_back(member_client, org):
    channel = services.channel_create(
        organization=org, name="PD", type="pagerduty", config={"routingKey": PAGERDUTY_KEY}
    )
    data = {"name": "PD", "events": ["monitor.down"], "enabled": "on"}
    masked = "••••" + PAGERDUTY_KEY[-4:]
    assert (
        member_client.post(f"/alerts/channels/{channel.id}/edit", {**data, "config-routingKey": masked}).status_code
        == 302
    )
    channel.refresh_from_db()
    assert channel.config == {"routingKey": PAGERDUTY_KEY}

    new_key = "Z" * 32
    assert (
        member_client.post(f"/alerts/channels/{channel.id}/edit", {**data, "config-routingKey": new_key}).status_code
        == 302
    )
    channel.refresh_from_db()
    assert channel.config == {"routingKey": new_key} and channel.events == ["monitor.down"]


def test_an_invalid_edit_changes_nothing_and_shows_the_error(member_client, org):
    channel = slack_channel(org)
    response = member_client.post(f"/alerts/channels/{channel.id}/edit", form(**{"config-url": "ftp://x"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an http:// or https:// URL" in field_error(html, "url")
    assert "ftp://x" not in html
    channel.refresh_from_db()
    assert channel.config == {"url": SLACK_URL}


def test_unchecking_enabled_disables_the_channel(member_client, org):
    channel = slack_channel(org)
    assert member_client.post(f"/alerts/channels/{channel.id}/edit", form(enabled=None)).status_code == 302
    channel.refresh_from_db()
    assert not channel.enabled and channel.disabled_reason == AlertChannel.DisabledReason.USER
    html = member_client.get(f"/alerts/channels/{channel.id}/").content.decode()
    assert "Disabled by a user" in html and ">Test</button>" not in html


# --- Test, and the delivery log ---


def test_the_test_button_queues_a_test_alert(member_client, org):
    channel = slack_channel(org)

    response = member_client.post(f"/alerts/channels/{channel.id}/test")

    assert response.status_code == 302 and response["Location"] == f"/alerts/channels/{channel.id}/"
    alert = Alert.objects.get(channel=channel)
    assert (alert.kind, alert.status, alert.monitor_id) == ("test", "pending", None)
    html = member_client.get(response["Location"]).content.decode()
    assert "Test alert queued" in html
    row = html[html.index(f'data-alert="{alert.id}"') :]
    assert "<strong>Test</strong>" in row and "StatusApp test alert" in row and 'class="badge PENDING">Pending' in row
    assert 'hx-trigger="every 2s"' in html  # a pending alert: the log polls


def test_the_test_button_from_the_page_answers_with_the_log(member_client, org):
    channel = slack_channel(org)
    response = member_client.post(f"/alerts/channels/{channel.id}/test", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="alert-log"') and "Test alert queued." in html
    assert f'hx-get="/alerts/channels/{channel.id}/log?page=1"' in html
    assert Alert.objects.filter(channel=channel, kind="test").count() == 1


def test_a_disabled_channel_sends_no_test(member_client, org):
    channel = slack_channel(org, enabled=False)
    response = member_client.post(f"/alerts/channels/{channel.id}/test", follow=True)
    assert "This channel is disabled" in response.content.decode()
    assert not Alert.objects.exists()
    assert member_client.get(f"/alerts/channels/{channel.id}/test").status_code == 405


def test_the_log_lists_alerts_newest_first_with_their_attempt_log(viewer_client, org):
    channel = slack_channel(org)
    old = make_alert(channel, minutes=0, kind="down", attempts=((503, "busy"), (0, "")), status="failed")
    new = make_alert(channel, minutes=5, kind="ssl_expiring", title="API: certificate expires in 3 days")

    response = viewer_client.get(f"/alerts/channels/{channel.id}/")

    html = response.content.decode()
    assert html.index(f'data-alert="{new.id}"') < html.index(f'data-alert="{old.id}"')
    old_rows = html[html.index(f'data-alert="{old.id}"') :]
    old_rows = old_rows[: old_rows.index("</tbody>")]
    assert "<strong>Down</strong>" in old_rows and "API is DOWN" in old_rows
    assert 'class="badge DOWN">Failed' in old_rows and "connection refused" in old_rows
    assert "Attempt log (2)" in old_rows
    assert "HTTP 503" in old_rows and "40 ms" in old_rows and "<code>busy</code>" in old_rows
    assert "41 ms" in old_rows and "no response" in old_rows
    new_rows = html[html.index(f'data-alert="{new.id}"') :]
    assert "Certificate expiring" in new_rows and "HTTP 200" in new_rows and "<code>ok</code>" in new_rows
    assert 'hx-trigger="every 2s"' not in html  # every alert has its outcome: no polling
    assert "dashboard/alert-log.js" in html


def test_the_log_fragment_polls_while_an_alert_is_pending_and_pages(viewer_client, org):
    channel = slack_channel(org)
    for minute in range(21):
        make_alert(channel, minutes=minute, attempts=())
    pending = make_alert(channel, minutes=30, status="pending", attempts=((500, "retry me"),))

    first = viewer_client.get(f"/alerts/channels/{channel.id}/log").content.decode()
    assert first.startswith('<div id="alert-log"') and 'hx-trigger="every 2s"' in first
    assert pending.id in first and "Page 1 of 2" in first and "Pending alerts update here" in first

    second = viewer_client.get(f"/alerts/channels/{channel.id}/log?page=2").content.decode()
    assert "Page 2 of 2" in second and pending.id not in second and "every 2s" not in second
    assert f'data-alert="{Alert.objects.order_by("created_at").first().id}"' in second


# --- deleting ---


def test_deleting_needs_an_admin(member_client, org):
    channel = slack_channel(org)
    assert "/delete" not in member_client.get(f"/alerts/channels/{channel.id}/").content.decode()
    assert member_client.get(f"/alerts/channels/{channel.id}/delete").status_code == 403
    assert member_client.post(f"/alerts/channels/{channel.id}/delete").status_code == 403
    assert AlertChannel.objects.filter(pk=channel.pk).exists()


def test_an_admin_deletes_after_confirming_and_monitors_forget_the_channel(admin_client, org):
    channel = slack_channel(org)
    monitor = MonitorFactory(organization=org, alert_channels=[channel.id])

    confirm = admin_client.get(f"/alerts/channels/{channel.id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert AlertChannel.objects.filter(pk=channel.pk).exists()

    response = admin_client.post(f"/alerts/channels/{channel.id}/delete", follow=True)

    assert "Alert channel #ops deleted." in response.content.decode()
    assert not AlertChannel.objects.filter(pk=channel.pk).exists()
    monitor.refresh_from_db()
    assert monitor.alert_channels == []


# --- another organization's ---


def test_another_organizations_channel_is_a_404_everywhere(admin_client, other_org):
    channel = slack_channel(other_org)
    for url in ("/", "/edit", "/delete", "/log"):
        assert admin_client.get(f"/alerts/channels/{channel.id}{url}").status_code == 404, url
    for url in ("/edit", "/delete", "/test"):
        assert admin_client.post(f"/alerts/channels/{channel.id}{url}", form()).status_code == 404, url
    channel.refresh_from_db()
    assert channel.name == "#ops" and not Alert.objects.exists()


# --- acknowledging a DOWN monitor ---


def monitor_page(client, monitor) -> str:
    response = client.get(f"/monitors/{monitor.id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_down_monitor_is_acknowledged_from_its_button(member_client, org):
    monitor = MonitorFactory(organization=org, status=Monitor.Status.DOWN, name="API")
    html = monitor_page(member_client, monitor)
    assert f'action="/alerts/channels/acknowledge/{monitor.id}"' in html and ">Acknowledge</button>" in html

    response = member_client.post(f"/alerts/channels/acknowledge/{monitor.id}")

    assert response.status_code == 302 and response["Location"] == f"/monitors/{monitor.id}/"
    monitor.refresh_from_db()
    assert monitor.acknowledged_by == "member@example.com" and monitor.acknowledged_at is not None
    html = member_client.get(response["Location"]).content.decode()
    assert "API acknowledged" in html
    assert "Acknowledged by member@example.com at <time" in html and ">Acknowledge</button>" not in html

    first = monitor.acknowledged_at
    member_client.post(f"/alerts/channels/acknowledge/{monitor.id}")
    monitor.refresh_from_db()
    assert monitor.acknowledged_at == first  # the first acknowledgement stands


def test_a_monitor_that_is_not_down_cannot_be_acknowledged(member_client, org):
    monitor = MonitorFactory(organization=org, status=Monitor.Status.UP, name="API")
    assert ">Acknowledge</button>" not in monitor_page(member_client, monitor)

    response = member_client.post(f"/alerts/channels/acknowledge/{monitor.id}", follow=True)

    assert "API is UP, not DOWN" in response.content.decode()
    monitor.refresh_from_db()
    assert monitor.acknowledged_at is None


def test_acknowledging_needs_a_member_and_a_monitor_of_ones_organization(client, person, org, other_org):
    theirs = MonitorFactory(organization=other_org, status=Monitor.Status.DOWN)
    mine = MonitorFactory(organization=org, status=Monitor.Status.DOWN)
    person(org, "member", client)
    assert client.post(f"/alerts/channels/acknowledge/{theirs.id}").status_code == 404
    assert client.get(f"/alerts/channels/acknowledge/{mine.id}").status_code == 405

    viewer = OrganizationFactory()
    person(viewer, "viewer", client)
    watched = MonitorFactory(organization=viewer, status=Monitor.Status.DOWN)
    assert ">Acknowledge</button>" not in monitor_page(client, watched)
    assert client.post(f"/alerts/channels/acknowledge/{watched.id}").status_code == 403
    for monitor in (theirs, mine, watched):
        monitor.refresh_from_db()
        assert monitor.acknowledged_at is None
