"""The organization as it is: every object of the file's kinds read from the API, and turned
into the file's form (fields as the API shows them, references by name) for export and apply."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import statusapp

from .errors import AUTH, CLIError
from .fileformat import KINDS, LABELS, MASK, MONITOR_FIELDS
from .progress import Progress

PAGE_SIZE = 100  # the API's largest page
RESOURCES = {
    "alertChannels": "alert_channels",
    "monitors": "monitors",
    "statusPages": "status_pages",
    "maintenances": "maintenances",
}
PAGE_FIELDS = ("slug", "description", "isPublic", "notifyAutomaticIncidents", "accentColor", "customDomain")
HTTP_TYPES = ("http", "keyword")


def sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def name_of(kind: str, raw: dict) -> str:
    return raw["title"] if kind == "maintenances" else raw["name"]


def read_all(resource, label: str, progress: Progress | None = None, **filters) -> list[dict]:
    """Every object of a resource (matching `filters`) as the API shows it, a page of 100 at a time."""
    objects: list[dict] = []
    page = 1
    with (progress or Progress(None)).meter(f"reading {label}") as meter:
        while True:
            batch = resource.list(page=page, limit=PAGE_SIZE, **filters)
            objects += [item.raw for item in batch.data]
            meter.update(len(objects), batch.pagination.total)
            if not batch.data or page >= (batch.pagination.pages or 0):
                return objects
            page += 1


@dataclass
class Organization:
    """The objects of an organization, by kind, as the API shows them."""

    objects: dict[str, list[dict]]
    webhooks: list[dict]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> name -> id
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> id -> name
    duplicates: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind -> name -> ids

    def __post_init__(self) -> None:
        for kind in KINDS:
            by_name: dict[str, list[str]] = defaultdict(list)
            for raw in self.objects[kind]:
                by_name[name_of(kind, raw)].append(raw["id"])
            self.ids[kind] = {name: ids[0] for name, ids in by_name.items()}
            self.names[kind] = {raw["id"]: name_of(kind, raw) for raw in self.objects[kind]}
            self.duplicates[kind] = {name: sorted(ids) for name, ids in by_name.items() if len(ids) > 1}

    def duplicate_report(self, kind: str, name: str) -> str:
        ids = self.duplicates[kind][name]
        return f'{len(ids)} {LABELS[kind]}s are named "{name}" ({", ".join(ids)}): rename all but one'

    def webhook_url(self, endpoint_id: str) -> str:
        return next((hook["url"] for hook in self.webhooks if hook["id"] == endpoint_id), endpoint_id)

    def webhook_ids(self, url: str) -> list[str]:
        return [hook["id"] for hook in self.webhooks if hook["url"] == url]

    def current(self) -> dict[str, dict[str, dict]]:
        """Each kind's objects in the file's form, by name (the first of duplicates)."""
        convert = {
            "alertChannels": self._channel,
            "monitors": self._monitor,
            "statusPages": self._page,
            "maintenances": self._maintenance,
        }
        result: dict[str, dict[str, dict]] = {}
        for kind in KINDS:
            result[kind] = {}
            for raw in self.objects[kind]:
                result[kind].setdefault(name_of(kind, raw), convert[kind](raw))
        return result

    def _named(self, kind: str, ids: list[str]) -> list[str]:
        """Names in place of ids, sorted: the lists that use this keep no meaningful order, and
        the API's (by id) differs from one organization to another."""
        return sorted((self.names[kind].get(object_id, object_id) for object_id in ids), key=sort_key)

    def _monitor(self, raw: dict) -> dict:
        fields = {}
        for key in MONITOR_FIELDS:
            if key == "paused":
                fields[key] = raw.get("status") == "PAUSED"
            elif key == "password":
                if raw.get("password"):
                    fields[key] = MASK  # never shown: only whether there is one
            elif key in raw:
                fields[key] = raw[key]
        if raw["type"] in HTTP_TYPES and not fields.get("keyword"):
            fields.pop("keyword", None)  # none set: the API takes no blank keyword back
        fields["alertChannels"] = self._named("alertChannels", raw.get("alertChannels") or [])
        fields["dependsOn"] = self._named("monitors", raw.get("dependsOn") or [])
        fields["escalation"] = [
            {"afterMinutes": step["afterMinutes"], "channels": self._named("alertChannels", step["channels"])}
            for step in raw.get("escalation") or []
        ]
        return fields

    def _channel(self, raw: dict) -> dict:
        config = dict(raw.get("config") or {})
        if raw["type"] == "webhook" and isinstance(config.get("endpoint"), str):
            config["endpoint"] = self.webhook_url(config["endpoint"])
        return {
            "type": raw["type"],
            "config": config,
            "events": raw.get("events"),
            "allMonitors": raw.get("allMonitors"),
            "enabled": raw.get("enabled"),
        }

    def _page(self, raw: dict) -> dict:
        fields = {key: raw.get(key) for key in PAGE_FIELDS}
        if raw.get("hasPassword"):
            fields["password"] = MASK  # never shown: only whether there is one
        group_of = {monitor: group["name"] for group in raw.get("groups") or [] for monitor in group["components"]}
        fields["components"] = [
            {"monitor": self.names["monitors"].get(monitor, monitor), "group": group_of[monitor]}
            if monitor in group_of
            else self.names["monitors"].get(monitor, monitor)
            for monitor in raw.get("components") or []
        ]
        return fields

    def _maintenance(self, raw: dict) -> dict:
        return {
            "description": raw.get("description", ""),
            "startsAt": raw["startsAt"],
            "endsAt": raw["endsAt"],
            "monitors": self._named("monitors", raw.get("monitors") or []),
        }


def read_organization(client, progress: Progress, *, webhooks: bool = False) -> Organization:
    """The organization's objects; its webhook endpoints too when a channel sends to one (or
    `webhooks`): listing them needs an admin key."""
    objects = {kind: read_all(getattr(client, RESOURCES[kind]), LABELS[kind] + "s", progress) for kind in KINDS}
    endpoints = []
    if webhooks or any(raw["type"] == "webhook" for raw in objects["alertChannels"]):
        try:
            endpoints = read_all(client.webhooks, "webhooks", progress)
        except statusapp.PermissionDeniedError as exc:
            raise CLIError(
                "a webhook alert channel names its endpoint by URL in the file, and reading the "
                f"organization's webhook endpoints needs an admin key ({exc.status} {exc.code})",
                AUTH,
            ) from None
    return Organization(objects, endpoints)
