"""`statusapp export` and `statusapp apply` against the live server, in the spare organizations."""

from __future__ import annotations

import io
import os
import re
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import cli_support
import pytest
from cli_support import SECRETS, build_organization, run, snapshot, updated_at
from statusapp.cli.progress import Progress

import statusapp

Organizations = list[tuple[str, statusapp.Client]]


@pytest.fixture
def organizations() -> Iterator[Organizations]:
    yield from cli_support.spare_organizations()


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def write(tmp_path, text: str, name: str = "statusapp.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def export(capsys, key: str) -> str:
    result = run(capsys, "export", key=key)
    assert result.code == 0, result.err
    return result.out


def with_slug(text: str, slug: str) -> str:
    """Page slugs are unique across the server: the copy of a page needs its own."""
    return re.sub(r"(?m)^(    slug: ).*$", rf"\g<1>{slug}", text)


def test_export_writes_names_not_ids_or_secrets(capsys, organizations):
    (key, client), *_ = organizations
    build_organization(client)

    text = export(capsys, key)

    assert text == export(capsys, key)  # deterministic
    assert text.startswith("# StatusApp configuration written by `statusapp export`")
    for secret in SECRETS.values():
        assert secret not in text
    for variable in SECRETS:
        assert "${" + variable + "}" in text
    for server_managed in ("id", "status", "createdAt", "updatedAt", "pingUrl", "uptime", "lastCheck", "badgeUrl"):
        assert not re.search(rf"(?m)^ *{server_managed}:", text), server_managed
    assert not re.search(r"\b(mon|ach|sp|wh)_", text)  # no ids
    assert "    dependsOn:\n    - Database\n" in text  # references are names
    assert "    - monitor: API\n      group: Backend\n" in text
    assert "      endpoint: https://receiver.example.com/statusapp\n" in text  # a webhook endpoint by its URL
    names = [line[2:-1] for line in text.splitlines() if re.fullmatch(r"  \S.*:", line)]
    assert names == [
        "On call", "Ops Slack", "Signed hook", "Team mail", "Telegram",  # alert channels
        "API", "Certificate", "Database", "Nightly backup", "Orders DB", "Resolver", "Website",  # monitors
        "Public status",  # status pages
        "Database upgrade",  # maintenances
    ]  # fmt: skip


def test_export_then_apply_reproduces_the_organization(capsys, tmp_path, organizations, secrets):
    (source_key, source), (target_key, target), *_ = organizations
    build_organization(source)
    target.webhooks.create(url=cli_support.WEBHOOK_URL)  # the webhook channel's endpoint
    text = with_slug(export(capsys, source_key), "cli-copied-page")

    result = run(capsys, "apply", "-f", write(tmp_path, text), key=target_key)

    assert result.code == 0, result.err
    assert "Plan: 14 to create, 0 to change, 0 to delete." in result.out
    assert result.out.endswith("Applied: 14 created, 0 changed, 0 deleted.\n")
    copied, original = snapshot(target), snapshot(source)
    for kind, objects in original.items():
        assert sorted(copied[kind]) == sorted(objects), kind
        for name, fields in objects.items():
            assert copied[kind][name] == fields, f"{kind} {name}"
    assert next(target.status_pages.iter()).slug == "cli-copied-page"
    assert export(capsys, target_key) == text


def test_second_apply_changes_nothing(capsys, tmp_path, organizations, secrets):
    (source_key, source), (target_key, target), *_ = organizations
    build_organization(source)
    target.webhooks.create(url=cli_support.WEBHOOK_URL)
    path = write(tmp_path, with_slug(export(capsys, source_key), "cli-twice-page"))
    assert run(capsys, "apply", "-f", path, key=target_key).code == 0
    before = updated_at(target)

    again = run(capsys, "apply", "-f", path, key=target_key)
    into_source = run(capsys, "apply", "-f", write(tmp_path, export(capsys, source_key), "own.yaml"), key=source_key)

    assert (again.code, again.out) == (0, "No changes.\n")
    assert (into_source.code, into_source.out) == (0, "No changes.\n")
    assert updated_at(target) == before  # not one object was written


BASE = textwrap.dedent("""\
    alertChannels:
      Ops Slack:
        type: slack
        config:
          url: ${STATUSAPP_CHANNEL_OPS_SLACK_URL}
    monitors:
      Website:
        type: http
        url: https://www.example.com/
        interval: 60
        alertChannels: [Ops Slack]
      Shop:
        type: http
        url: https://shop.example.com/
    statusPages:
      Status:
        slug: cli-base-page
        components: [Website, {monitor: Shop, group: Sales}]
""")


def test_dry_run_prints_the_plan_and_changes_nothing(capsys, tmp_path, organizations, secrets, monkeypatch):
    *_, (key, client), _ = organizations
    assert run(capsys, "apply", "-f", write(tmp_path, BASE), key=key).code == 0
    before, stamps = snapshot(client), updated_at(client)
    monkeypatch.setenv("STATUSAPP_CHANNEL_OPS_SLACK_URL", "https://hooks.example.org/services/new-secret-value")
    changed = BASE.replace("interval: 60", "interval: 30").replace("  Shop:\n", "  Blog:\n")
    changed = changed.replace("{monitor: Shop, group: Sales}", "{monitor: Blog, group: Sales}")

    result = run(capsys, "apply", "-f", write(tmp_path, changed), "--dry-run", "--prune", key=key)

    assert result.code == 0, result.err
    assert result.out == textwrap.dedent("""\
        ~ change alert channel "Ops Slack"
            config.url: https://hooks.slack.com/•••• -> https://hooks.example.org/••••
        ~ change monitor "Website"
            interval: 60 -> 30
        + create monitor "Blog"
        - delete monitor "Shop" ({shop})
        ~ change status page "Status"
            components: ["Website", {{"group": "Sales", "monitor": "Shop"}}] -> ["Website", {{"group": "Sales", "monitor": "Blog"}}]
        Plan: 1 to create, 3 to change, 1 to delete.
        Dry run: nothing was changed.
        """).format(shop=next(m.id for m in client.monitors.iter() if m.name == "Shop"))  # noqa: E501
    assert "new-secret-value" not in result.out
    assert snapshot(client) == before
    assert updated_at(client) == stamps


def test_apply_changes_field_by_field(capsys, tmp_path, organizations, secrets):
    *_, (key, client), _ = organizations
    assert run(capsys, "apply", "-f", write(tmp_path, BASE), key=key).code == 0
    shop = next(m for m in client.monitors.iter() if m.name == "Shop")
    changed = BASE.replace("interval: 60", "interval: 30\n    paused: true").replace(
        "url: https://shop.example.com/", "url: https://shop.example.com/\n    dependsOn: [Website]"
    )

    result = run(capsys, "apply", "-f", write(tmp_path, changed), key=key)

    assert result.code == 0, result.err
    assert "    interval: 60 -> 30\n    paused: false -> true\n" in result.out
    assert '    dependsOn: [] -> ["Website"]\n' in result.out
    assert result.out.endswith("Applied: 0 created, 2 changed, 0 deleted.\n")
    website = next(m for m in client.monitors.iter() if m.name == "Website")
    assert (website.interval, website.status) == (30, "PAUSED")
    assert client.monitors.get(shop.id).depends_on == [website.id]
    assert run(capsys, "apply", "-f", write(tmp_path, changed), key=key).out == "No changes.\n"


def test_only_prune_deletes(capsys, tmp_path, organizations, secrets):
    *_, (key, client), _ = organizations
    assert run(capsys, "apply", "-f", write(tmp_path, BASE), key=key).code == 0
    without_shop = BASE.replace("  Shop:\n    type: http\n    url: https://shop.example.com/\n", "")
    without_shop = without_shop.replace(", {monitor: Shop, group: Sales}", "")
    assert "Shop" not in without_shop

    kept = run(capsys, "apply", "-f", write(tmp_path, without_shop), key=key)
    names_after_apply = sorted(m.name for m in client.monitors.iter())
    pruned = run(capsys, "apply", "-f", write(tmp_path, without_shop), "--prune", key=key)

    assert kept.code == 0, kept.err
    assert "1 monitor is not in the file and kept (--prune deletes them).\n" in kept.out
    assert names_after_apply == ["Shop", "Website"]
    assert pruned.code == 0, pruned.err
    assert '- delete monitor "Shop"' in pruned.out
    assert sorted(m.name for m in client.monitors.iter()) == ["Website"]
    # A kind the file has no section for is left alone, --prune or not.
    only_monitors = run(capsys, "apply", "-f", write(tmp_path, "monitors: {}\n"), "--prune", key=key)
    assert only_monitors.code == 0, only_monitors.err
    assert [c.name for c in client.alert_channels.iter()] == ["Ops Slack"]
    assert [p.name for p in client.status_pages.iter()] == ["Status"]
    assert list(client.monitors.iter()) == []


BROKEN = """\
    version: 1
    alertChannels:
      Ops:
        type: slack
        config:
          url: ${STATUSAPP_TEST_UNSET_VARIABLE}
    monitors:
      Site:
        type: http
        url: https://example.com/
        intervall: 60
        retries: many
        alertChannels: [Opps]
      Site:
        type: tcp
      Port:
        type: tcp
        host: db.example.com
        url: https://example.com/
      Beat:
        type: heartbeat
        dependsOn: [Beat]
      Missing:
        type: keyword
        url: https://example.com/
    statusPages:
      Page:
        isPublic: maybe
        components: [Site, {monitor: Nowhere, group: 7}]
    hosts: []
"""


def test_broken_file_changes_nothing_and_names_its_lines(capsys, tmp_path, organizations, secrets):
    *_, (key, client), _ = organizations
    assert run(capsys, "apply", "-f", write(tmp_path, BASE), key=key).code == 0
    before, stamps = snapshot(client), updated_at(client)
    path = write(tmp_path, BROKEN)

    result = run(capsys, "apply", "-f", path, "--prune", key=key)

    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f'{path}:6: alert channel "Ops": config.url: the environment variable STATUSAPP_TEST_UNSET_VARIABLE '
        "is not set (the file says ${STATUSAPP_TEST_UNSET_VARIABLE})",
        f'{path}:11: monitor "Site": intervall: unknown field "intervall" (did you mean "interval"?)',
        f'{path}:12: monitor "Site": retries: expected a whole number, got text',
        f'{path}:13: monitor "Site": alertChannels[0]: no alert channel named "Opps" in the file (did you mean "Ops"?)',
        f'{path}:14: monitor "Site": "Site" is written twice (first on line 8)',
        f'{path}:16: monitor "Port": a new monitor needs port',
        f'{path}:19: monitor "Port": url: not used by tcp monitors',
        f'{path}:22: monitor "Beat": dependsOn: monitors would depend on each other: Beat -> Beat',
        f'{path}:23: monitor "Missing": a new monitor needs keyword',
        f'{path}:28: status page "Page": isPublic: expected true or false, got text',
        f'{path}:29: status page "Page": components[1].group: expected text, got a number: quote it',
        f'{path}:29: status page "Page": components[1].monitor: no monitor named "Nowhere" in the file',
        f"{path}:30: hosts: unknown section; the sections are alertChannels, monitors, statusPages, maintenances",
        f"{path}: 13 problems; nothing was changed.",
    ]
    assert snapshot(client) == before
    assert updated_at(client) == stamps


def test_invalid_yaml_names_its_line(capsys, tmp_path, organizations):
    *_, (key, _client), _ = organizations
    path = write(tmp_path, "monitors:\n  Site:\n    type: http\n    url: [https://example.com\n")

    result = run(capsys, "apply", "-f", path, key=key)

    assert result.code == 2
    assert result.err.startswith(f"{path}:5: not valid YAML: while parsing a flow sequence")
    assert result.err.endswith("1 problem; nothing was changed.\n")


def test_missing_file_is_a_usage_error(capsys, tmp_path, organizations):
    *_, (key, _client), _ = organizations
    result = run(capsys, "apply", "-f", str(tmp_path / "nowhere.yaml"), key=key)
    assert result.code == 2
    assert "cannot read the file: No such file or directory" in result.err


def test_a_value_the_server_refuses_is_reported_at_its_line(capsys, tmp_path, organizations):
    *_, (key, client), _ = organizations
    path = write(tmp_path, "monitors:\n  Site:\n    type: http\n    url: https://example.com/\n    interval: 1\n")

    result = run(capsys, "apply", "-f", path, key=key)

    assert result.code == 1
    assert result.err.splitlines() == [
        f'{path}:5: monitor "Site": interval: Must be at least 10 seconds.',
        'statusapp: error: could not create monitor "Site": Invalid monitor interval (400 invalid_request)',
        "0 changes made before it stay made; fix the file and apply it again.",
    ]
    assert list(client.monitors.iter()) == []


def test_references_may_name_objects_of_the_organization(capsys, tmp_path, organizations, secrets):
    *_, (key, client), _ = organizations
    assert run(capsys, "apply", "-f", write(tmp_path, BASE), key=key).code == 0
    # No alertChannels section: "Ops Slack" is the organization's; "Shop" is not in the
    # file but stays without --prune.
    partial = """\
        monitors:
          Website:
            dependsOn: [Shop]
            alertChannels: [Ops Slack]
    """
    applied = run(capsys, "apply", "-f", write(tmp_path, partial), key=key)
    pruned = run(capsys, "apply", "-f", write(tmp_path, partial), "--prune", key=key)

    assert applied.code == 0, applied.err
    assert '    dependsOn: [] -> ["Shop"]\n' in applied.out
    assert pruned.code == 2
    assert 'dependsOn[0]: no monitor named "Shop" in the file' in pruned.err
    assert sorted(m.name for m in client.monitors.iter()) == ["Shop", "Website"]


def test_progress_of_a_large_apply(capsys, tmp_path, organizations):
    *_, (key, client) = organizations
    count = 1000
    monitors = "".join(
        f"  Service {n:04d}:\n    type: http\n    url: https://service-{n}.example.com/\n" for n in range(count)
    )
    path = write(tmp_path, "monitors:\n" + monitors)

    started = time.monotonic()
    applied = run(capsys, "apply", "-f", path, key=key)
    elapsed = time.monotonic() - started
    again = run(capsys, "apply", "-f", path, key=key)
    pruned = run(capsys, "apply", "-f", write(tmp_path, "monitors: {}\n", "none.yaml"), "--prune", key=key)

    print(f"apply of {count} monitors: {elapsed:.1f} s")
    assert applied.code == 0, applied.err
    assert applied.out.endswith(f"Applied: {count} created, 0 changed, 0 deleted.\n")
    # Not a terminal: a line at every tenth of the way.
    assert [line for line in applied.err.splitlines() if line.startswith("monitors ")] == [
        f"monitors {done}/{count}" for done in range(100, count + 1, 100)
    ]
    assert again.out == "No changes.\n"
    assert f"reading monitors {count}/{count}" in again.err
    assert pruned.code == 0, pruned.err
    assert f"deleting monitors {count}/{count}" in pruned.err
    assert client.monitors.list().pagination.total == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_redrawn_in_place():
    terminal = Terminal()
    with Progress(terminal).meter("monitors") as meter:
        for done in range(1, 1001):
            if done == 500:
                time.sleep(0.11)  # a redraw happens at most every 0.1 s
            meter.update(done, 1000)

    drawn = terminal.getvalue()
    assert drawn.startswith("\rmonitors 1/1000 [------------------------] 0%")
    assert "\rmonitors 500/1000 [############------------] 50%" in drawn
    assert drawn.endswith("\rmonitors 1000/1000 [########################] 100%\n")
    assert drawn.count("\n") == 1


def test_short_work_shows_no_progress():
    stream = io.StringIO()
    with Progress(stream).meter("monitors") as meter:
        for done in range(1, 11):
            meter.update(done, 10)
    assert stream.getvalue() == ""


def test_the_manuals_example_applies(capsys, tmp_path, organizations, monkeypatch):
    *_, (key, client), _ = organizations
    manual = (Path(__file__).parent.parent / "CLI.md").read_text()
    example = re.search(r"### The file\n\n```yaml\n(.*?)```", manual, re.S).group(1)
    example = example.replace("slug: acme", f"slug: cli-manual-{os.getpid()}")
    monkeypatch.setenv("STATUSAPP_CHANNEL_OPS_SLACK_URL", "https://hooks.slack.com/services/T0/B0/manual")
    path = write(tmp_path, example)

    applied = run(capsys, "apply", "-f", path, key=key)
    again = run(capsys, "apply", "-f", path, key=key)

    assert applied.code == 0, applied.err
    assert applied.out.endswith("Applied: 7 created, 0 changed, 0 deleted.\n")
    assert again.out == "No changes.\n"
    assert sorted(m.name for m in client.monitors.iter()) == ["API", "Database", "Nightly backup"]
