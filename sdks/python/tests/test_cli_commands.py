"""`statusapp monitors|incidents|status-pages|channels ...` against the live server: tables
for people, --json for scripts, and exit codes that say what failed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cli_support
import pytest
from cli_support import SLACK_URL, run

import statusapp


@pytest.fixture
def organization() -> Iterator[tuple[str, statusapp.Client]]:
    """A spare organization of its own (the third), emptied before and after."""
    for organizations in cli_support.spare_organizations():
        yield organizations[2]


def lines(table: str) -> list[list[str]]:
    """A table's rows, split into cells."""
    return [re.split(r"\s{2,}", row.strip()) for row in table.splitlines()]


def test_monitors_create_list_get_pause_resume_delete(capsys, organization):
    key, client = organization

    created = run(
        capsys,
        "monitors",
        "create",
        "--name",
        "Shop",
        "--type",
        "http",
        "--url",
        "https://shop.example.com/",
        "--interval",
        "30",
        "--json",
        key=key,
    )
    monitor = json.loads(created.out)
    table = run(capsys, "monitors", "list", key=key)
    listed = json.loads(run(capsys, "monitors", "list", "--json", key=key).out)
    shown = run(capsys, "monitors", "get", "Shop", key=key)
    paused = run(capsys, "monitors", "pause", monitor["id"], key=key)
    paused_status = client.monitors.get(monitor["id"]).status
    resumed = json.loads(run(capsys, "monitors", "resume", "Shop", "--json", key=key).out)
    deleted = run(capsys, "monitors", "delete", "Shop", key=key)

    assert created.code == 0, created.err
    assert (monitor["name"], monitor["interval"], monitor["status"]) == ("Shop", 30, "PENDING")
    assert table.code == 0
    assert lines(table.out) == [
        ["ID", "NAME", "TYPE", "STATUS", "TARGET", "INTERVAL", "UPTIME 24H"],
        [monitor["id"], "Shop", "http", "PENDING", "https://shop.example.com/", "30", "-"],
    ]
    assert [m["id"] for m in listed] == [monitor["id"]]
    assert listed[0]["url"] == "https://shop.example.com/"
    assert shown.code == 0
    assert f"id                   {monitor['id']}\n" in shown.out
    assert "expectedStatusCodes  200-299\n" in shown.out
    assert paused.out == f'Monitor "Shop" ({monitor["id"]}) is PAUSED.\n'
    assert paused_status == "PAUSED"
    assert resumed["status"] == "PENDING"
    assert deleted.out == f"Deleted monitor {monitor['id']}.\n"
    assert list(client.monitors.iter()) == []


def test_monitors_list_filters_and_pages(capsys, organization):
    key, client = organization
    for n in range(3):
        client.monitors.create(name=f"Port {n}", type="tcp", host="db.example.com", port=5432 + n)
    client.monitors.create(name="Site", type="http", url="https://www.example.com/")

    tcp = json.loads(run(capsys, "monitors", "list", "--type", "tcp", "--json", key=key).out)
    page = run(capsys, "monitors", "list", "--type", "tcp", "--limit", "2", "--page", "2", key=key)

    assert sorted(m["name"] for m in tcp) == ["Port 0", "Port 1", "Port 2"]
    assert len(lines(page.out)) == 3  # the header, one monitor, the footer
    assert page.out.endswith("page 2 of 2 (3 monitors)\n")
    assert "db.example.com:543" in page.out


def test_incidents_create_update_get_delete(capsys, organization):
    key, client = organization
    client.monitors.create(name="API", type="http", url="https://api.example.com/")

    created = run(
        capsys, "incidents", "create", "--title", "API errors", "--impact", "high", "--affects", "API", key=key
    )
    incident = next(client.incidents.iter())
    table = run(capsys, "incidents", "list", "--status", "INVESTIGATING", key=key)
    update = run(
        capsys,
        "incidents",
        "update",
        "API errors",
        "-m",
        "Fixed by a rollback",
        "--status",
        "RESOLVED",
        "--json",
        key=key,
    )
    shown = json.loads(run(capsys, "incidents", "get", incident.id, "--json", key=key).out)
    deleted = run(capsys, "incidents", "delete", incident.id, "--json", key=key)

    assert created.code == 0, created.err
    assert "title               API errors\n" in created.out
    assert lines(table.out)[1][:5] == [incident.id, "API errors", "INVESTIGATING", "high", "API"]
    assert update.code == 0, update.err
    assert json.loads(update.out)["message"] == "Fixed by a rollback"
    assert shown["status"] == "RESOLVED"
    assert [entry["message"] for entry in shown["updates"]][0] == "Fixed by a rollback"
    assert json.loads(deleted.out) == {"id": incident.id, "deleted": True}
    assert list(client.incidents.iter()) == []


def test_status_pages_create_list_get_delete(capsys, organization):
    key, client = organization
    client.monitors.create(name="API", type="http", url="https://api.example.com/")
    slug = f"cli-command-page-{os.getpid()}"

    created = run(
        capsys,
        "status-pages",
        "create",
        "--name",
        "Status",
        "--slug",
        slug,
        "--component",
        "API",
        "--private",
        "--json",
        key=key,
    )
    table = run(capsys, "status-pages", "list", key=key)
    shown = run(capsys, "status-pages", "get", "Status", key=key)
    deleted = run(capsys, "status-pages", "delete", "Status", key=key)

    page = json.loads(created.out)
    assert created.code == 0, created.err
    assert (page["slug"], page["isPublic"], len(page["components"])) == (slug, False, 1)
    assert lines(table.out)[1][:5] == [page["id"], "Status", slug, "no", "1"]
    assert f"slug                      {slug}\n" in shown.out
    assert deleted.code == 0
    assert list(client.status_pages.iter()) == []


def test_channels_create_list_get_delete(capsys, organization):
    key, client = organization

    created = run(
        capsys,
        "channels",
        "create",
        "--name",
        "Ops Slack",
        "--type",
        "slack",
        "--config",
        json.dumps({"url": SLACK_URL}),
        "--event",
        "monitor.down",
        "--all-monitors",
        key=key,
    )
    table = run(capsys, "channels", "list", key=key)
    shown = json.loads(run(capsys, "channels", "get", "Ops Slack", "--json", key=key).out)
    deleted = run(capsys, "channels", "delete", "Ops Slack", key=key)

    assert created.code == 0, created.err
    assert lines(table.out)[1][1:] == ["Ops Slack", "slack", "yes", "all", "monitor.down"]
    assert shown["config"] == {"url": "https://hooks.slack.com/••••"}  # secrets are masked once stored
    assert deleted.code == 0
    assert list(client.alert_channels.iter()) == []


def test_create_takes_more_fields_as_data(capsys, organization, tmp_path):
    key, _client = organization
    body = tmp_path / "monitor.yaml"
    body.write_text("name: Resolver\ntype: dns\nhost: example.com\nrecordType: MX\n")

    from_file = run(capsys, "monitors", "create", "--data", f"@{body}", "--json", key=key)
    inline = run(
        capsys,
        "monitors",
        "create",
        "--data",
        '{"name": "X", "type": "tcp", "port": 22}',
        "--host",
        "ssh.example.com",
        "--json",
        key=key,
    )

    assert (json.loads(from_file.out)["recordType"], json.loads(from_file.out)["host"]) == ("MX", "example.com")
    assert (json.loads(inline.out)["host"], json.loads(inline.out)["port"]) == ("ssh.example.com", 22)


def test_not_found_exits_4(capsys, organization):
    key, _client = organization
    by_id = run(capsys, "monitors", "get", "mon_doesnotexist", key=key)
    by_name = run(capsys, "channels", "delete", "No such channel", key=key)

    assert by_id.code == 4
    assert by_id.err == "statusapp: error: Not found. (404 not_found)\n"
    assert by_name.code == 4
    assert by_name.err == 'statusapp: error: no alert channel with id or name "No such channel"\n'


def test_authentication_and_permission_exit_3(capsys, monkeypatch, organization):
    key, client = organization
    bad_key = run(capsys, "monitors", "list", key="sk_live_nosuchkey_0000000000000000000000000")
    read_only = run(
        capsys,
        "monitors",
        "create",
        "--name",
        "X",
        "--type",
        "http",
        "--url",
        "https://x.example.com/",
        key=os.environ["STATUSAPP_TEST_READ_KEY"],
    )
    monkeypatch.delenv("STATUSAPP_API_KEY", raising=False)
    no_key = run(capsys, "monitors", "list")

    assert bad_key.code == 3
    assert bad_key.err == "statusapp: error: Invalid, expired or revoked API key. (401 unauthorized)\n"
    assert read_only.code == 3
    assert "(403 forbidden)" in read_only.err
    assert no_key.code == 3
    assert no_key.err == "statusapp: error: no API key: pass --api-key or set STATUSAPP_API_KEY\n"


def test_refused_request_exits_1_with_each_field(capsys, organization):
    key, client = organization
    result = run(capsys, "monitors", "create", "--name", "X", "--type", "http", "--url", "not a url", key=key)

    assert result.code == 1
    assert (
        result.err
        == "statusapp: error: Invalid monitor URL (400 invalid_request)\n  url: URL must be valid HTTP/HTTPS\n"
    )
    assert list(client.monitors.iter()) == []


def test_usage_errors_exit_2(capsys, organization):
    key, _client = organization
    unknown_action = run(capsys, "monitors", "frobnicate", key=key)
    bad_data = run(capsys, "monitors", "create", "--data", "{not json", key=key)
    bad_option = run(capsys, "monitors", "create", "--type", "ftp", key=key)

    assert unknown_action.code == 2
    assert "invalid choice: 'frobnicate'" in unknown_action.err
    assert bad_data.code == 2
    assert bad_data.err.startswith("statusapp: error: --data: Expecting property name")
    assert bad_option.code == 2
    assert run(capsys, "--help").code == 0


def test_unavailable_server_exits_5(capsys, organization):
    key, _client = organization
    result = run(
        capsys,
        "monitors",
        "list",
        "--base-url",
        os.environ["STATUSAPP_TEST_UNAVAILABLE_URL"],
        "--max-retries",
        "0",
        key=key,
    )
    assert result.code == 5
    assert "(503 " in result.err


def test_unreachable_server_exits_6(capsys, organization):
    key, _client = organization
    result = run(capsys, "monitors", "list", "--base-url", "http://127.0.0.1:9", "--max-retries", "0", key=key)
    assert result.code == 6
    assert result.err.startswith("statusapp: error: GET http://127.0.0.1:9/api/monitors")


def test_runs_as_a_program(organization):
    key, client = organization
    client.monitors.create(name="Site", type="http", url="https://www.example.com/")
    source = Path(statusapp.__file__).parent.parent
    env = {**os.environ, "STATUSAPP_API_KEY": key, "PYTHONPATH": str(source)}

    listed = subprocess.run(
        [sys.executable, "-m", "statusapp.cli", "monitors", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    missing = subprocess.run(
        [sys.executable, "-m", "statusapp.cli", "monitors", "get", "Nothing"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert listed.returncode == 0, listed.stderr
    assert [m["name"] for m in json.loads(listed.stdout)] == ["Site"]
    assert missing.returncode == 4
    assert missing.stderr == 'statusapp: error: no monitor with id or name "Nothing"\n'
