"""`statusapp monitors|incidents|status-pages|channels ACTION`: the objects one at a time.

Every resource has list, get, create and delete; monitors also pause and resume, incidents
`update` (a timeline entry). An object is named by its id or by its exact name (title for
incidents). Output is a table or a record for people, JSON with --json.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

import yaml

from .errors import NOT_FOUND, USAGE, CLIError
from .fileformat import CHANNEL_CONFIG, CHANNEL_EVENTS, MONITOR_TYPES
from .output import write_json, write_record, write_table
from .progress import Progress
from .state import read_all


@dataclass(frozen=True)
class Option:
    """A command-line option that sets one field of a request (or a list filter)."""

    flag: str
    field: str
    help: str
    type: Callable = str
    choices: tuple[str, ...] | None = None
    repeat: bool = False  # may be given several times: a list
    monitors: bool = False  # monitor ids or names, sent as ids
    const: object = None  # a flag without a value that sets the field to this


@dataclass(frozen=True)
class Resource:
    command: str
    attribute: str  # the client's resource
    singular: str
    prefix: str  # of its ids
    name_field: str
    headers: tuple[str, ...]
    row: Callable[[dict], list]
    filters: tuple[Option, ...]
    create: tuple[Option, ...]


def _target(monitor: dict) -> str | None:
    if monitor.get("url"):
        return monitor["url"]
    if monitor.get("port"):
        return f"{monitor['host']}:{monitor['port']}"
    if monitor.get("host"):
        return f"{monitor['host']} {monitor.get('recordType', '')}".strip()
    return None


def _uptime(monitor: dict) -> str | None:
    return None if monitor.get("uptime") is None else f"{monitor['uptime']:.2f}%"


INCIDENT_STATUSES = ("INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED")
CHANNEL_TYPES = tuple(CHANNEL_CONFIG)


def json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value


SEARCH = Option("--search", "search", "only those whose name contains this text")

RESOURCES = (
    Resource(
        command="monitors",
        attribute="monitors",
        singular="monitor",
        prefix="mon_",
        name_field="name",
        headers=("ID", "NAME", "TYPE", "STATUS", "TARGET", "INTERVAL", "UPTIME 24H"),
        row=lambda m: [m["id"], m["name"], m["type"], m["status"], _target(m), m.get("interval"), _uptime(m)],
        filters=(
            Option(
                "--status",
                "status",
                "only monitors in this status",
                choices=("PENDING", "UP", "DEGRADED", "DOWN", "PAUSED"),
            ),
            Option("--type", "type", "only monitors of this type", choices=MONITOR_TYPES),
            SEARCH,
        ),
        create=(
            Option("--name", "name", "the monitor's name"),
            Option("--type", "type", "what it checks", choices=MONITOR_TYPES),
            Option("--url", "url", "http, keyword and ssl monitors: the URL"),
            Option("--host", "host", "tcp and dns monitors: the host"),
            Option("--port", "port", "tcp monitors: the port", type=int),
            Option("--keyword", "keyword", "keyword monitors: the text to find"),
            Option("--interval", "interval", "seconds between checks", type=int),
            Option("--timeout", "timeout", "seconds", type=int),
            Option("--paused", "status", "create it paused", const="PAUSED"),
        ),
    ),
    Resource(
        command="incidents",
        attribute="incidents",
        singular="incident",
        prefix="inc_",
        name_field="title",
        headers=("ID", "TITLE", "STATUS", "IMPACT", "COMPONENTS", "CREATED"),
        row=lambda i: [
            i["id"],
            i["title"],
            i["status"],
            i.get("impact"),
            ", ".join(c["name"] for c in i.get("components") or []),
            i.get("createdAt"),
        ],  # fmt: skip
        filters=(Option("--status", "status", "only incidents in this status", choices=INCIDENT_STATUSES), SEARCH),
        create=(
            Option("--title", "title", "the incident's title"),
            Option("--description", "description", "what is happening"),
            Option("--status", "status", "INVESTIGATING when left out", choices=INCIDENT_STATUSES),
            Option("--impact", "impact", "how bad", choices=("none", "low", "medium", "high", "critical")),
            Option(
                "--affects",
                "affectedComponents",
                "an affected monitor (id or name); repeat for more",
                repeat=True,
                monitors=True,
            ),
        ),
    ),
    Resource(
        command="status-pages",
        attribute="status_pages",
        singular="status page",
        prefix="sp_",
        name_field="name",
        headers=("ID", "NAME", "SLUG", "PUBLIC", "COMPONENTS", "URL"),
        row=lambda p: [p["id"], p["name"], p["slug"], p.get("isPublic"), len(p.get("components") or []), p.get("url")],
        filters=(SEARCH,),
        create=(
            Option("--name", "name", "the page's name"),
            Option("--slug", "slug", "its address, /status/SLUG/ (made from the name when left out)"),
            Option("--description", "description", "text under the title"),
            Option("--private", "isPublic", "members (or the password) only", const=False),
            Option(
                "--component",
                "components",
                "a monitor shown on the page (id or name); repeat for more",
                repeat=True,
                monitors=True,
            ),
        ),
    ),
    Resource(
        command="channels",
        attribute="alert_channels",
        singular="alert channel",
        prefix="ach_",
        name_field="name",
        headers=("ID", "NAME", "TYPE", "ENABLED", "MONITORS", "EVENTS"),
        row=lambda c: [
            c["id"],
            c["name"],
            c["type"],
            c.get("enabled"),
            "all" if c.get("allMonitors") else "chosen",
            ", ".join(c.get("events") or []),
        ],  # fmt: skip
        filters=(Option("--type", "type", "only channels of this type", choices=CHANNEL_TYPES), SEARCH),
        create=(
            Option("--name", "name", "the channel's name"),
            Option("--type", "type", "where alerts go", choices=CHANNEL_TYPES),
            Option(
                "--config",
                "config",
                'the type\'s settings as JSON, e.g. \'{"url": "https://hooks.slack.com/..."}\'',
                type=json_object,
            ),
            Option(
                "--event", "events", "an event to alert about; repeat for more", choices=CHANNEL_EVENTS, repeat=True
            ),
            Option("--all-monitors", "allMonitors", "alert about every monitor", const=True),
        ),
    ),
)


def add_parsers(commands, common: argparse.ArgumentParser) -> None:
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--json", action="store_true", help="print JSON (the API's objects) instead of a table")
    for resource in RESOURCES:
        parser = commands.add_parser(
            resource.command, parents=[common], help=f"{resource.singular}s: list, get, create, ..."
        )
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        reference = f"{resource.singular} id ({resource.prefix}…) or exact {resource.name_field}"

        listing = actions.add_parser("list", parents=[common, output], help=f"list {resource.singular}s")
        for option in resource.filters:
            _add_option(listing, option)
        listing.add_argument("--page", type=int, help="only this page (of --limit objects)")
        listing.add_argument(
            "--limit", type=int, help="objects per page (at most 100); only the first page unless --page"
        )
        listing.set_defaults(run=run_list)

        for action, text, run in (("get", "show", run_get), ("delete", "delete", run_delete)):
            sub = actions.add_parser(action, parents=[common, output], help=f"{text} a {resource.singular}")
            sub.add_argument("ref", metavar="ID_OR_NAME", help=reference)
            sub.set_defaults(run=run)

        create = actions.add_parser("create", parents=[common, output], help=f"create a {resource.singular}")
        for option in resource.create:
            _add_option(create, option)
        create.add_argument("--data", help="more fields as a JSON object, or @FILE (JSON or YAML); options win over it")
        create.set_defaults(run=run_create)

        if resource.command == "monitors":
            for action, status in (("pause", "PAUSED"), ("resume", "ACTIVE")):
                sub = actions.add_parser(action, parents=[common, output], help=f"{action} a monitor")
                sub.add_argument("ref", metavar="ID_OR_NAME", help=reference)
                sub.set_defaults(run=run_pause_resume, status=status)
        if resource.command == "incidents":
            update = actions.add_parser(
                "update", parents=[common, output], help="post an update to an incident's timeline"
            )
            update.add_argument("ref", metavar="ID_OR_NAME", help=reference)
            update.add_argument("--message", "-m", required=True, help="the update's text")
            update.add_argument("--status", choices=INCIDENT_STATUSES, help="the incident's new status")
            update.add_argument("--notify", action="store_true", help="email the status pages' subscribers")
            update.set_defaults(run=run_incident_update)
        parser.set_defaults(resource=resource)


def _dest(option: Option) -> str:
    return "opt_" + option.flag.lstrip("-").replace("-", "_")


def _add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    if option.const is not None:
        parser.add_argument(option.flag, dest=_dest(option), action="store_const", const=option.const, help=option.help)
        return
    parser.add_argument(
        option.flag,
        dest=_dest(option),
        action="append" if option.repeat else "store",
        type=option.type,
        choices=option.choices,
        metavar=None if option.choices else option.flag.lstrip("-").upper(),
        help=option.help,
    )


def _options(args: argparse.Namespace, options: tuple[Option, ...], client) -> dict:
    values = {}
    for option in options:
        value = getattr(args, _dest(option))
        if value is None:
            continue
        if option.monitors:
            monitors = next(r for r in RESOURCES if r.command == "monitors")
            value = [resolve(client, monitors, ref) for ref in value]
        values[option.field] = value
    return values


def resolve(client, resource: Resource, ref: str) -> str:
    """The id of the object `ref` names: an id as it is, else the one object with that exact name."""
    if ref.startswith(resource.prefix):
        return ref
    candidates = read_all(getattr(client, resource.attribute), resource.command, search=ref)
    found = [raw["id"] for raw in candidates if raw.get(resource.name_field) == ref]
    if not found:
        raise CLIError(f'no {resource.singular} with id or {resource.name_field} "{ref}"', NOT_FOUND)
    if len(found) > 1:
        raise CLIError(f'{len(found)} {resource.singular}s are named "{ref}" ({", ".join(found)}): give the id')
    return found[0]


def _data(text: str | None) -> dict:
    if text is None:
        return {}
    try:
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as handle:
                value = yaml.safe_load(handle)  # JSON is YAML too
        else:
            value = json.loads(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise CLIError(f"--data: {exc}", USAGE) from None
    if not isinstance(value, dict):
        raise CLIError("--data: expected a JSON object", USAGE)
    return value


def _show(args, raw: dict, out: TextIO) -> None:
    if args.json:
        write_json(raw, out)
    else:
        write_record(raw, out)


def run_list(client, args, out: TextIO, err: TextIO) -> None:
    resource: Resource = args.resource
    api = getattr(client, resource.attribute)
    filters = _options(args, resource.filters, client)
    if args.page is not None or args.limit is not None:
        page = api.list(page=args.page, limit=args.limit, **filters)
        objects = [item.raw for item in page.data]
        footer = (
            f"page {page.pagination.page} of {page.pagination.pages} ({page.pagination.total} {resource.singular}s)"
        )
    else:
        objects = read_all(api, resource.command, Progress(err), **filters)
        footer = None
    if args.json:
        write_json(objects, out)
        return
    if not objects:
        out.write(f"No {resource.singular}s.\n")
    else:
        write_table(list(resource.headers), [resource.row(raw) for raw in objects], out)
    if footer:
        out.write(footer + "\n")


def run_get(client, args, out: TextIO, err: TextIO) -> None:
    resource: Resource = args.resource
    object_id = resolve(client, resource, args.ref)
    _show(args, getattr(client, resource.attribute).get(object_id).raw, out)


def run_create(client, args, out: TextIO, err: TextIO) -> None:
    resource: Resource = args.resource
    body = {**_data(args.data), **_options(args, resource.create, client)}
    _show(args, getattr(client, resource.attribute).create(body).raw, out)


def run_delete(client, args, out: TextIO, err: TextIO) -> None:
    resource: Resource = args.resource
    object_id = resolve(client, resource, args.ref)
    getattr(client, resource.attribute).delete(object_id)
    if args.json:
        write_json({"id": object_id, "deleted": True}, out)
    else:
        out.write(f"Deleted {resource.singular} {object_id}.\n")


def run_pause_resume(client, args, out: TextIO, err: TextIO) -> None:
    object_id = resolve(client, args.resource, args.ref)
    monitor = (client.monitors.pause if args.status == "PAUSED" else client.monitors.resume)(object_id).raw
    if args.json:
        write_json(monitor, out)
    else:
        out.write(f'Monitor "{monitor["name"]}" ({object_id}) is {monitor["status"]}.\n')


def run_incident_update(client, args, out: TextIO, err: TextIO) -> None:
    object_id = resolve(client, args.resource, args.ref)
    body = {"message": args.message, "notifySubscribers": args.notify}
    if args.status:
        body["status"] = args.status
    _show(args, client.incidents.add_update(object_id, body).raw, out)
