"""`statusapp apply -f FILE [--dry-run] [--prune]`: read and check the whole file, compare it
with the organization, print the plan, then carry it out in dependency order: alert channels,
monitors, the monitors' dependencies (they may name monitors created just before), status
pages, maintenances, and last what --prune deletes."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from statusapp import APIError

from . import document as documents
from .document import Document, InvalidFile, Problem, where
from .fileformat import KINDS, LABELS, parse_timestamp
from .plan import Action, Plan, make_plan
from .progress import Progress
from .state import RESOURCES, Organization, read_organization

PHASES = (
    ("alertChannels", "alert channels"),
    ("monitors", "monitors"),
    ("dependencies", "monitor dependencies"),
    ("statusPages", "status pages"),
    ("maintenances", "maintenances"),
)


class ApplyFailed(Exception):
    """The API refused an action: what was done before it stays done."""

    def __init__(self, filename: str, action: Action, error: APIError, problems: list[Problem], done: int) -> None:
        super().__init__(str(error))
        self.filename = filename
        self.action = action
        self.error = error
        self.problems = problems
        self.done = done


def read_file(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def apply(client, path: str, *, dry_run: bool, prune: bool, out: TextIO, err: TextIO) -> None:
    """Raises InvalidFile (nothing changed), ApplyFailed or the SDK's errors."""
    filename = "<stdin>" if path == "-" else path
    try:
        text = read_file(path)
    except OSError as exc:
        raise InvalidFile(filename, [Problem(1, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    document = documents.load(text, filename, os.environ)
    progress = Progress(err)
    organization = read_organization(client, progress, webhooks=_names_webhooks(document))
    plan = make_plan(document, organization, prune=prune)
    if not plan.actions:
        out.write("No changes.\n")
    else:
        for action in plan.actions:
            out.write("\n".join(action.describe()) + "\n")
        out.write(f"Plan: {plan.summary()}.\n")
    for kind, count in plan.kept.items():
        noun = LABELS[kind] + ("s are" if count != 1 else " is")
        out.write(f"{count} {noun} not in the file and kept (--prune deletes them).\n")
    if dry_run:
        if plan.actions:
            out.write("Dry run: nothing was changed.\n")
        return
    if plan.actions:
        Applier(client, document, organization, plan, progress).run()
        created, changed, deleted = (plan.count(verb) for verb in ("create", "change", "delete"))
        out.write(f"Applied: {created} created, {changed} changed, {deleted} deleted.\n")


def _names_webhooks(document: Document) -> bool:
    channels = document.sections.get("alertChannels", {})
    return any(fields.get("type") == "webhook" for fields in channels.values())


class Applier:
    def __init__(self, client, document: Document, organization: Organization, plan: Plan, progress: Progress):
        self.client = client
        self.document = document
        self.organization = organization
        self.plan = plan
        self.progress = progress
        self.ids = {kind: dict(organization.ids[kind]) for kind in KINDS}  # grows as objects are created
        self.done = 0

    def run(self) -> None:
        actions = self.plan.actions
        for phase, label in PHASES:
            if phase == "dependencies":
                self._each(label, [a for a in actions if _sets_dependencies(a)], self._set_dependencies)
            else:
                self._each(label, [a for a in actions if a.kind == phase and a.verb != "delete"], self._write)
        for kind in reversed(KINDS):
            deletes = [a for a in actions if a.kind == kind and a.verb == "delete"]
            self._each(f"deleting {LABELS[kind]}s", deletes, self._delete)

    def _each(self, label: str, actions: list[Action], perform) -> None:
        with self.progress.meter(label) as meter:
            for done, action in enumerate(actions, 1):
                try:
                    perform(action)
                except APIError as exc:
                    problems = self._problems(action, exc)
                    raise ApplyFailed(self.document.filename, action, exc, problems, self.done) from exc
                self.done += 1
                meter.update(done, len(actions))

    def _resource(self, kind: str):
        return getattr(self.client, RESOURCES[kind])

    def _write(self, action: Action) -> None:
        body = self._body(action)
        if action.verb == "create":
            created = self._resource(action.kind).create(body)
            self.ids[action.kind][action.name] = created.id
        elif body:  # not when only a monitor's dependencies changed: they are set later
            self._resource(action.kind).update(action.object_id, body)

    def _set_dependencies(self, action: Action) -> None:
        monitor_id = self.ids["monitors"][action.name]
        self.client.monitors.update(monitor_id, {"dependsOn": self._ids("monitors", action.fields["dependsOn"])})

    def _delete(self, action: Action) -> None:
        self._resource(action.kind).delete(action.object_id)

    def _ids(self, kind: str, names: list[str]) -> list[str]:
        return [self.ids[kind][name] for name in names]

    def _body(self, action: Action) -> dict:
        """The request body of a create or a change: the file's fields, names turned into ids."""
        kind, fields = action.kind, dict(action.fields)
        channel_type = None
        if kind == "alertChannels":
            channel_type = fields.get("type") or self._current_type(action)
            if "type" in fields:  # a changed type needs the whole config (a changed config is whole)
                fields.setdefault("config", self.document.sections[kind][action.name]["config"])
        body: dict = {}
        if action.verb == "create":
            body["title" if kind == "maintenances" else "name"] = action.name
        for key, value in fields.items():
            if kind == "monitors":
                if key == "paused":
                    if value or action.verb == "change":
                        body["status"] = "PAUSED" if value else "ACTIVE"
                    continue
                if key == "dependsOn":
                    continue  # set once every monitor exists (see run)
                if key == "alertChannels":
                    value = self._ids("alertChannels", value)
                elif key == "escalation":
                    value = [
                        {"afterMinutes": step["afterMinutes"], "channels": self._ids("alertChannels", step["channels"])}
                        for step in value
                    ]
            elif kind == "statusPages" and key == "components":
                value = [
                    self.ids["monitors"][entry]
                    if isinstance(entry, str)
                    else {
                        "id": self.ids["monitors"][entry["monitor"]],
                        **({"group": entry["group"]} if "group" in entry else {}),
                    }
                    for entry in value
                ]
            elif kind == "maintenances":
                if key == "monitors":
                    value = self._ids("monitors", value)
                elif key in ("startsAt", "endsAt"):
                    value = parse_timestamp(value).isoformat().replace("+00:00", "Z")
            elif kind == "alertChannels" and key == "config" and channel_type == "webhook":
                value = {**value, "endpoint": self.organization.webhook_ids(value["endpoint"])[0]}
            body[key] = value
        return body

    def _current_type(self, action: Action) -> str | None:
        raw = next((raw for raw in self.organization.objects[action.kind] if raw["id"] == action.object_id), None)
        return raw["type"] if raw else None

    def _problems(self, action: Action, error: APIError) -> list[Problem]:
        """The API's complaints about fields, at the lines of the file that gave them, with
        the ids it names turned back into the file's names."""
        path = (action.kind, action.name)
        problems = []
        for field, messages in (error.fields or {}).items():
            for sub, message in _flatten((field,), messages):
                full = (*path, *sub)
                problems.append(Problem(self.document.line(full), where(full), self._named(message)))
        if not problems:
            problems.append(Problem(self.document.line(path), where(path), self._named(error.details or error.message)))
        return problems

    def _named(self, message: str) -> str:
        for kind in KINDS:
            for name, object_id in self.ids[kind].items():
                if object_id in message:
                    message = message.replace(object_id, f'{LABELS[kind]} "{name}"')
        return message


def _sets_dependencies(action: Action) -> bool:
    """A monitor whose dependencies the file changes, or a new one that has some."""
    if action.kind != "monitors" or action.verb == "delete":
        return False
    return "dependsOn" in action.fields if action.verb == "change" else bool(action.fields.get("dependsOn"))


def _flatten(path: tuple, messages) -> list[tuple[tuple, str]]:
    """`{"config": {"url": ["..."]}}` and `{"escalation": [{"channels": [...]}]}` as (path, message) pairs."""
    if isinstance(messages, dict):
        return [pair for key, value in messages.items() for pair in _flatten((*path, key), value)]
    if isinstance(messages, list) and any(isinstance(entry, (dict, list)) for entry in messages):
        return [pair for index, value in enumerate(messages) if value for pair in _flatten((*path, index), value)]
    if isinstance(messages, list):
        return [(path, str(message)) for message in messages]
    return [(path, str(messages))]
