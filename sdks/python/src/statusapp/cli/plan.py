"""What apply has to do: the file compared with the organization, object by object (matched by
name) and field by field, for the fields the file gives, each normalized the way the API
stores it (so an exported file applied to its own organization changes nothing)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import fileformat
from .document import Document, InvalidFile, Problem
from .fileformat import KINDS, LABELS, MASK, MONITOR_REQUIRED, MONITOR_TYPE_FIELDS, REQUIRED_ON_CREATE
from .state import Organization, name_of

# Lists whose order the API does not keep or does not care about.
UNORDERED = {
    ("monitors", "alertChannels"),
    ("monitors", "dependsOn"),
    ("alertChannels", "events"),
    ("maintenances", "monitors"),
}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Action:
    verb: str  # create, change or delete
    kind: str
    name: str
    object_id: str | None = None
    fields: dict = field(default_factory=dict)  # create: the file's fields; change: the changed ones
    changes: list[Change] = field(default_factory=list)

    def describe(self) -> list[str]:
        label = f'{LABELS[self.kind]} "{self.name}"'
        if self.verb == "create":
            return [f"+ create {label}"]
        if self.verb == "delete":
            return [f"- delete {label} ({self.object_id})"]
        return [f"~ change {label}"] + [f"    {c.field}: {shown(c.old)} -> {shown(c.new)}" for c in self.changes]


@dataclass
class Plan:
    actions: list[Action]
    kept: dict[str, int]  # kind -> objects the file does not name, left alone without --prune

    def count(self, verb: str) -> int:
        return sum(action.verb == verb for action in self.actions)

    def summary(self) -> str:
        return f"{self.count('create')} to create, {self.count('change')} to change, {self.count('delete')} to delete"


def shown(value: object) -> str:
    if isinstance(value, str):
        return value if value and value.strip() == value and "\n" not in value else json.dumps(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def mask(value: str) -> str:
    """What the API shows of a secret once stored: its documented masking (an http(s) URL
    keeps its scheme and host, a token of 20 characters or more its last 4)."""
    if "://" in value:
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") and parts.hostname:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            try:
                port = f":{parts.port}" if parts.port else ""
            except ValueError:
                port = ""
            return f"{scheme}://{host}{port}/{MASK}"
        return f"{scheme}://{MASK}" if scheme else MASK
    return MASK + value[-4:] if len(value) >= 20 else MASK


def normalized(kind: str, name: str, value):
    """`value` of field `name` as the API would store and show it."""
    if isinstance(value, str):
        value = value.strip() or None  # the API strips text; an export leaves out a blank keyword
    if value is None:
        return None
    if (kind, name) in UNORDERED:
        return sorted(set(value))
    if kind == "monitors":
        if name == "host":
            return value.lower().rstrip(".")
        if name == "expectedStatusCodes":
            return value.replace(" ", "")
        if name == "headers":
            return {key: entry.strip() for key, entry in value.items()}
        if name == "expectedValues":
            return [entry.strip() for entry in value]
        if name == "escalation":
            return [{"afterMinutes": step["afterMinutes"], "channels": sorted(step["channels"])} for step in value]
    if kind == "statusPages":
        if name == "slug":
            return value.lower()
        if name == "customDomain":
            return value.lower().rstrip(".")
        if name == "components":
            return [
                (entry.strip(), "")
                if isinstance(entry, str)
                else (entry["monitor"].strip(), entry.get("group", "").strip())
                for entry in value
            ]
    if kind == "maintenances" and name in ("startsAt", "endsAt"):
        return fileformat.parse_timestamp(value)
    return value


def _config_value(value):
    if isinstance(value, list):
        return list(dict.fromkeys(entry.strip() for entry in value))  # the API drops repeated addresses
    return value.strip() if isinstance(value, str) else value


def config_changes(channel_type: str, old: dict, new: dict) -> list[Change]:
    """Config keys that differ. A secret is known only by its mask: it counts as unchanged
    when the file's value masks to what the API shows."""
    secret = fileformat.secret_keys(channel_type) | {key for key, value in old.items() if MASK in str(value)}
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), _config_value(new.get(key))
        if after in (None, ""):
            after = None  # the API drops an empty optional key
        if key in secret:
            shown_after = mask(after) if isinstance(after, str) else after
            if shown_after != before:
                changes.append(Change(f"config.{key}", before, shown_after))
        elif after != before:
            changes.append(Change(f"config.{key}", before, after))
    return changes


def object_changes(kind: str, current: dict, desired: dict) -> list[Change]:
    changes = []
    for name, value in desired.items():
        old = current.get(name)
        if kind == "alertChannels" and name == "config":
            changes += config_changes(desired.get("type") or current["type"], old or {}, value)
        elif kind in ("statusPages", "monitors") and name == "password":
            if bool(value) != bool(old):  # a password is never shown: only whether there is one
                changes.append(Change(name, MASK if old else "", MASK if value else ""))
        elif normalized(kind, name, old) != normalized(kind, name, value):
            changes.append(Change(name, old, value))
    return changes


def make_plan(document: Document, organization: Organization, *, prune: bool) -> Plan:
    """The actions that make the organization match the file, or InvalidFile naming every
    problem of the file (its own, and what it names that the organization lacks) before
    anything changes."""
    current = organization.current()
    problems = list(document.problems) + _reference_problems(document, organization, prune)
    problems += _cycle_problems(document, current, prune)
    for kind, wanted in document.sections.items():
        for name, fields in wanted.items():
            if name in organization.duplicates[kind]:
                problems.append(document.problem((kind, name), organization.duplicate_report(kind, name)))
            else:
                problems += _fit_problems(document, organization, kind, name, fields, current[kind].get(name))
    if problems:
        raise InvalidFile(document.filename, problems)

    actions: list[Action] = []
    kept: dict[str, int] = {}
    for kind in KINDS:
        if kind not in document.sections:
            continue
        wanted = document.sections[kind]
        for name, fields in wanted.items():
            existing = current[kind].get(name)
            if existing is None:
                actions.append(Action("create", kind, name, fields=fields))
                continue
            changes = object_changes(kind, existing, fields)
            if changes:
                changed = {change.field.split(".")[0] for change in changes}
                fields = {key: value for key, value in fields.items() if key in changed}
                actions.append(Action("change", kind, name, organization.ids[kind][name], fields, changes))
        unnamed = [raw for raw in organization.objects[kind] if name_of(kind, raw) not in wanted]
        if prune:
            actions += [Action("delete", kind, name_of(kind, raw), raw["id"]) for raw in unnamed]
        elif unnamed:
            kept[kind] = len(unnamed)
    return Plan(actions, kept)


def _fit_problems(
    document: Document, organization: Organization, kind: str, name: str, fields: dict, existing: dict | None
) -> list[Problem]:
    """What the file lacks for a new object, or gives that the existing one cannot take."""
    problems = []
    path = (kind, name)
    required = list(REQUIRED_ON_CREATE[kind]) if existing is None else []
    if kind == "monitors":
        monitor_type = fields.get("type") or (existing or {}).get("type")
        monitor_type = monitor_type if isinstance(monitor_type, str) else None
        if existing is None and monitor_type in MONITOR_REQUIRED:
            required += MONITOR_REQUIRED[monitor_type]
        if existing is not None and "type" not in fields and monitor_type in MONITOR_TYPE_FIELDS:
            for key in fields:
                if key in fileformat.TYPED_MONITOR_FIELDS and key not in MONITOR_TYPE_FIELDS[monitor_type]:
                    problems.append(document.problem((*path, key), f"not used by {monitor_type} monitors"))
    if kind == "alertChannels" and existing is not None and "type" in fields and fields["type"] != existing["type"]:
        required.append("config")  # a new type needs its settings
    missing = [key for key in required if key not in fields]
    if missing:
        noun = "a new" if existing is None else "this"
        problems.append(document.problem(path, f"{noun} {LABELS[kind]} needs {', '.join(missing)}"))
    config = fields.get("config")
    channel_type = fields.get("type") or (existing or {}).get("type")
    if kind == "alertChannels" and channel_type == "webhook" and isinstance(config, dict):
        url = config.get("endpoint")
        found = organization.webhook_ids(url) if isinstance(url, str) else []
        if len(found) != 1:
            reason = "none" if not found else f"{len(found)} ({', '.join(found)})"
            problems.append(
                document.problem(
                    (*path, "config", "endpoint"),
                    f"webhook endpoints with this URL in the organization: {reason}; one is needed",
                )
            )
    return problems


def _reference_problems(document: Document, organization: Organization, prune: bool) -> list[Problem]:
    """Names no object will have once applied: not in the file, and not in the organization
    either (or deleted by --prune, as the file names every object of that kind)."""
    problems = []
    for kind, objects in document.sections.items():
        for name, fields in objects.items():
            for path, target, reference in fileformat.references(kind, fields):
                full = (kind, name, *path)
                in_file = reference in document.sections.get(target, {})
                if in_file:
                    continue
                if target in document.sections and prune:
                    problems.append(
                        document.problem(
                            full,
                            f'no {LABELS[target]} named "{reference}" in the file'
                            f"{fileformat.suggestion(reference, document.sections[target])}",
                        )
                    )
                elif reference in organization.duplicates[target]:
                    problems.append(document.problem(full, organization.duplicate_report(target, reference)))
                elif reference not in organization.ids[target]:
                    choices = set(document.sections.get(target, {})) | set(organization.ids[target])
                    problems.append(
                        document.problem(
                            full,
                            f'no {LABELS[target]} named "{reference}" in the file or the organization'
                            f"{fileformat.suggestion(reference, choices)}",
                        )
                    )
    return problems


def _cycle_problems(document: Document, current: dict[str, dict[str, dict]], prune: bool) -> list[Problem]:
    """Monitors that would depend on each other once applied: the organization's dependencies
    with the file's in their place."""
    written = document.sections.get("monitors")
    graph = {name: fields.get("dependsOn", []) for name, fields in current["monitors"].items()}
    if written is not None:
        if prune:
            graph = {name: depends for name, depends in graph.items() if name in written}
        for name, fields in written.items():
            if isinstance(fields.get("dependsOn"), list):
                graph[name] = fields["dependsOn"]
    problems = []
    for cycle in _dependency_cycles(graph):
        named = next((name for name in cycle if name in (written or {})), cycle[0])
        problems.append(
            document.problem(
                ("monitors", named, "dependsOn"), "monitors would depend on each other: " + " -> ".join(cycle)
            )
        )
    return problems


def _dependency_cycles(graph: dict[str, list]) -> list[list[str]]:
    def depends_on(name: str) -> list[str]:
        return [entry for entry in graph.get(name, []) if isinstance(entry, str) and entry in graph]

    cycles, done = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        trail = [start]
        stack = [(start, iter(depends_on(start)))]
        while stack:
            name, following = stack[-1]
            step = next(following, None)
            if step is None:
                stack.pop()
                trail.pop()
                done.add(name)
            elif step in trail:
                cycles.append([*trail[trail.index(step) :], step])
                done.update(trail)
                break
            elif step not in done:
                stack.append((step, iter(depends_on(step))))
                trail.append(step)
    return cycles
