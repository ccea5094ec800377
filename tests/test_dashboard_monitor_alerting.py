"""The dashboard's monitor form sets the alerting fields (retry interval, reminders, alert
channels, dependencies, escalation) through the API's serializer, and refuses what it refuses;
the monitor's page says who acknowledged an outage."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertChannel
from monitors.models import Monitor

from .factories import MonitorFactory

pytestmark = pytest.mark.django_db

BASE = {"name": "API", "type": "http", "url": "https://api.example.com/health", "interval": "300", "alerting": "1"}


def channel(organization, name: str) -> AlertChannel:
    return AlertChannel.objects.create(
        organization=organization, name=name, type="email", config={"address": "oncall@example.com"}
    )


def error_next_to(page: str, field: str) -> str:
    assert f'id="e-{field}"' in page, page[:3000]
    error = page[page.index(f'id="e-{field}"') :]
    return html.unescape(error[: error.index("</p>")])


@pytest.fixture
def member(client, person, org):
    person(org, "member", client)
    return client


def test_form_offers_the_organizations_channels_and_other_monitors_only(member, org, other_org):
    mine, theirs = channel(org, "Ops email"), channel(other_org, "Their pager")
    database = MonitorFactory(organization=org, name="Database")
    foreign = MonitorFactory(organization=other_org, name="Their DB")
    monitor = MonitorFactory(organization=org, name="API")

    page = member.get(f"/monitors/{monitor.id}/edit").content.decode()

    assert f'<option value="{mine.id}">Ops email (Email)</option>' in page
    assert theirs.id not in page and foreign.id not in page
    dependencies = page[page.index('id="f-dependsOn"') :]
    dependencies = dependencies[: dependencies.index("</select>")]
    assert f'<option value="{database.id}">Database</option>' in dependencies
    assert monitor.id not in dependencies  # not itself
    assert page.count('name="escalation-') == 6  # three rows: minutes and channels


def test_form_creates_a_monitor_with_its_alerting_settings(member, org):
    email, pager = channel(org, "Email"), channel(org, "Pager")
    database = MonitorFactory(organization=org, name="Database")
    data = {
        **BASE,
        "retries": "2",
        "retryInterval": "20",
        "reminderInterval": "30",
        "alertChannels": [email.id],
        "dependsOn": [database.id],
        # Filled in out of order, one row left empty: stored by increasing minutes.
        "escalation-0-after": "60",
        "escalation-0-channels": [email.id, pager.id],
        "escalation-2-after": "15",
        "escalation-2-channels": [pager.id],
    }

    response = member.post("/monitors/new", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    monitor = Monitor.objects.get(name="API")
    assert (monitor.retries, monitor.retry_interval, monitor.reminder_interval) == (2, 20, 30)
    assert monitor.alert_channels == [email.id]
    assert list(monitor.depends_on.values_list("id", flat=True)) == [database.id]
    assert monitor.escalation == [
        {"afterMinutes": 15, "channels": [pager.id]},
        {"afterMinutes": 60, "channels": [email.id, pager.id]},
    ]


def test_edit_form_shows_the_settings_and_clears_what_is_emptied(member, org):
    email = channel(org, "Email")
    database = MonitorFactory(organization=org, name="Database")
    monitor = MonitorFactory(
        organization=org,
        retry_interval=20,
        reminder_interval=30,
        alert_channels=[email.id],
        escalation=[{"afterMinutes": 10, "channels": [email.id]}],
    )
    monitor.depends_on.set([database])

    page = member.get(f"/monitors/{monitor.id}/edit").content.decode()
    assert 'name="retryInterval" type="number" value="20"' in page
    assert 'name="reminderInterval" type="number" value="30"' in page
    assert f'<option value="{email.id}" selected>' in page
    assert f'<option value="{database.id}" selected>Database</option>' in page
    assert 'name="escalation-0-after" type="number" min="1" value="10"' in page

    data = {**BASE, "name": monitor.name, "url": monitor.url, "retryInterval": "", "reminderInterval": ""}
    response = member.post(f"/monitors/{monitor.id}/edit", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    monitor.refresh_from_db()
    assert (monitor.retry_interval, monitor.reminder_interval) == (None, None)
    assert (monitor.alert_channels, monitor.escalation) == ([], [])
    assert not monitor.depends_on.exists()


def test_a_post_without_the_alerting_fields_keeps_them(member, org):
    email = channel(org, "Email")
    database = MonitorFactory(organization=org)
    monitor = MonitorFactory(organization=org, retry_interval=20, alert_channels=[email.id])
    monitor.depends_on.set([database])

    response = member.post(f"/monitors/{monitor.id}/edit", {"name": "Renamed", "url": monitor.url})

    assert response.status_code == 302, response.content.decode()[:3000]
    monitor.refresh_from_db()
    assert monitor.name == "Renamed"
    assert (monitor.retry_interval, monitor.alert_channels) == (20, [email.id])
    assert list(monitor.depends_on.values_list("id", flat=True)) == [database.id]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("retryInterval", "5", "Ensure this value is greater than or equal to 10."),
        ("retryInterval", "soon", "A valid integer is required."),
        ("reminderInterval", "20000", "Ensure this value is less than or equal to 10080."),
    ],
)
def test_out_of_range_intervals_show_next_to_their_field_and_save_nothing(member, field, value, message):
    response = member.post("/monitors/new", {**BASE, field: value})

    assert response.status_code == 400
    assert message in error_next_to(response.content.decode(), field)
    assert not Monitor.objects.exists()


def test_another_organizations_channel_or_monitor_is_refused(member, org, other_org):
    theirs = channel(other_org, "Their pager")
    foreign = MonitorFactory(organization=other_org)

    response = member.post("/monitors/new", {**BASE, "alertChannels": [theirs.id], "dependsOn": [foreign.id]})

    assert response.status_code == 400
    page = response.content.decode()
    assert f"Unknown alert channel: {theirs.id}." in error_next_to(page, "alertChannels")
    assert f"Unknown monitor: {foreign.id}." in error_next_to(page, "dependsOn")
    assert not Monitor.objects.filter(organization=org).exists()


def test_a_dependency_cycle_is_refused_and_nothing_changes(member, org):
    first, second = MonitorFactory(organization=org), MonitorFactory(organization=org)
    second.depends_on.set([first])

    data = {**BASE, "name": first.name, "url": first.url, "dependsOn": [second.id], "retryInterval": "30"}
    response = member.post(f"/monitors/{first.id}/edit", data)

    assert response.status_code == 400
    assert "would be a cycle" in error_next_to(response.content.decode(), "dependsOn")
    first.refresh_from_db()
    assert first.retry_interval is None and not first.depends_on.exists()


def test_escalation_row_errors_show_next_to_their_row(member, org):
    email = channel(org, "Email")
    data = {
        **BASE,
        "escalation-0-after": "10",
        "escalation-0-channels": [email.id],
        "escalation-1-after": "30",  # no channels
    }

    response = member.post("/monitors/new", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This list may not be empty." in error_next_to(page, "escalation-1")
    assert 'id="e-escalation-0"' not in page
    # What was typed is kept.
    assert 'name="escalation-1-after" type="number" min="1" value="30"' in page
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ({"escalation-0-after": "0"}, "escalation-0", "Ensure this value is greater than or equal to 1."),
        ({"escalation-1-after": "later"}, "escalation-1", "A valid integer is required."),
        ({"escalation-1-after": "10"}, "escalation", "Steps must come in strictly increasing afterMinutes."),
    ],
)
def test_bad_escalation_steps_are_refused(member, org, rows, field, message):
    email = channel(org, "Email")
    data = {**BASE, "escalation-0-after": "10", "escalation-0-channels": [email.id]}
    data.update(rows)
    data.setdefault("escalation-1-channels", [email.id])

    response = member.post("/monitors/new", data)

    assert response.status_code == 400
    assert message in error_next_to(response.content.decode(), field)
    assert not Monitor.objects.exists()


def test_a_deleted_channel_still_chosen_is_shown_so_it_can_be_removed(member, org):
    gone = "ach_" + "0" * 20
    monitor = MonitorFactory(organization=org, alert_channels=[gone])

    page = member.get(f"/monitors/{monitor.id}/edit").content.decode()

    assert f'<option value="{gone}" selected>{gone} (not found)</option>' in page


# --- the monitor's page ---------------------------------------------------------------------


def test_a_down_monitors_page_says_who_acknowledged_it(member, org):
    at = timezone.now() - timedelta(minutes=3)
    down = MonitorFactory(organization=org, status=Monitor.Status.DOWN, acknowledged_at=at, acknowledged_by="ana")
    unacknowledged = MonitorFactory(organization=org, status=Monitor.Status.DOWN)

    page = member.get(f"/monitors/{down.id}/").content.decode()
    other = member.get(f"/monitors/{unacknowledged.id}/").content.decode()

    assert "Acknowledged by ana at <time" in page
    assert "Acknowledged by" not in other


def test_a_monitors_page_lists_what_it_depends_on(member, org):
    database = MonitorFactory(organization=org, name="Database", status=Monitor.Status.DOWN)
    monitor = MonitorFactory(organization=org, retry_interval=20)
    monitor.depends_on.set([database])

    page = member.get(f"/monitors/{monitor.id}/").content.decode()

    assert f'Depends on <a href="/monitors/{database.id}/">Database</a> <span class="badge DOWN">Down</span>' in page
    assert "re-checked every 20 s while a failure is confirmed" in page


def test_a_down_monitors_page_says_its_alerts_are_held_by_a_down_parent(member, org):
    database = MonitorFactory(organization=org, name="Database", status=Monitor.Status.DOWN)
    cache = MonitorFactory(organization=org, name="Cache", status=Monitor.Status.UP)
    api = MonitorFactory(organization=org, name="API", status=Monitor.Status.DOWN)
    api.depends_on.set([cache, database])
    up_child = MonitorFactory(organization=org, name="Web", status=Monitor.Status.UP)
    up_child.depends_on.set([database])

    held = member.get(f"/monitors/{api.id}/").content.decode()
    assert f'Alerts held: caused by <a href="/monitors/{database.id}/">Database</a>, which is DOWN.' in held
    assert "Alerts held" not in member.get(f"/monitors/{up_child.id}/").content.decode()  # nothing to hold

    database.status = Monitor.Status.UP
    database.save(update_fields=["status"])
    assert "Alerts held" not in member.get(f"/monitors/{api.id}/").content.decode()
