"""Atom and RSS feeds of a status page's incident updates, as UTF-8 XML bytes.

One entry per incident update, newest first, at most MAX_ENTRIES. An entry's id is made
from its update's id alone, so it stays the same however often the feed is rebuilt and
whatever else changes (the incident's title, the page's address). All text goes through
ElementTree, which escapes it; characters XML 1.0 cannot carry at all are dropped.

An entry's body is HTML (RSS readers render <description> as HTML whatever it holds, and
Atom's content says type="html"): the update's message is rendered as on the pages,
Markdown then nh3, so no script, event handler, image or javascript: link reaches a reader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING

from .templatetags.markup import render

if TYPE_CHECKING:
    from .snapshot import IncidentView, Update

ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50
TAG_PREFIX = "tag:statusapp,2026:"

# Everything outside XML 1.0's Char production (control characters, lone surrogates,
# U+FFFE/U+FFFF): ElementTree would write them as they are, and no parser reads that back.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ET.register_namespace("atom", ATOM_NS)  # the RSS feed's atom:link, instead of "ns0"


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _utc(moment: datetime) -> datetime:
    """Aware and in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rfc3339(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def _rfc822(moment: datetime) -> str:
    return format_datetime(_utc(moment), usegmt=True)


def _base(page_url: str) -> str:
    return page_url if page_url.endswith("/") else page_url + "/"


def _entries(incidents: list[IncidentView]) -> list[tuple[IncidentView, Update]]:
    """Every (incident, update) pair, newest update first (ties by update id, so the order
    is the same on every build), at most MAX_ENTRIES."""
    pairs = [(incident, update) for incident in incidents for update in incident.updates]
    pairs.sort(key=lambda pair: (_utc(pair[1].created_at), str(pair[1].id)), reverse=True)
    return pairs[:MAX_ENTRIES]


def entry_id(update: Update) -> str:
    """The entry's permanent id: the update's, as a tag URI (RFC 4151)."""
    return f"{TAG_PREFIX}update:{update.id}"


def entry_title(incident: IncidentView, update: Update) -> str:
    return _clean(f"{incident.title} — {update.status.capitalize()}")


def entry_link(page_url: str, incident: IncidentView) -> str:
    return f"{_base(page_url)}incidents/{incident.id}"


def component_names(incident: IncidentView) -> list[str]:
    return [_clean(name) for _monitor_id, name, _status in incident.components]


def entry_html(incident: IncidentView, update: Update) -> str:
    """The update's message as sanitized HTML, then the page's components the incident affects."""
    parts = [render(_clean(update.message).strip())]
    names = component_names(incident)
    if names:
        parts.append(f"<p>Affected components: {escape(', '.join(names))}</p>")
    return "\n".join(part for part in parts if part)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _serialize(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom(
    page_name: str,
    page_url: str,
    incidents: list[IncidentView],
    *,
    feed_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of the incidents' updates. The feed is updated when its
    newest update was, or `now` (the current time by default) when it has none;
    `feed_url`, when given, is its rel="self" link."""
    entries = _entries(incidents)
    updated = entries[0][1].created_at if entries else (now or datetime.now(UTC))

    feed = ET.Element("feed", xmlns=ATOM_NS)  # not default_namespace: it rejects unqualified attributes
    _sub(feed, "title", _clean(page_name), type="text")
    _sub(feed, "subtitle", _clean(f"Incident updates from {page_name}"), type="text")
    _sub(feed, "link", rel="alternate", type="text/html", href=_base(page_url))
    if feed_url:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    _sub(feed, "id", _base(page_url))
    _sub(feed, "updated", _rfc3339(updated))
    author = _sub(feed, "author")
    _sub(author, "name", _clean(page_name))

    for incident, update in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(update))
        _sub(entry, "title", entry_title(incident, update), type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=entry_link(page_url, incident))
        _sub(entry, "published", _rfc3339(update.created_at))
        _sub(entry, "updated", _rfc3339(update.created_at))
        for name in component_names(incident):
            _sub(entry, "category", term=name)
        _sub(entry, "content", entry_html(incident, update), type="html")
    return _serialize(feed)


def rss(
    page_name: str,
    page_url: str,
    incidents: list[IncidentView],
    *,
    feed_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An RSS 2.0 feed of the incidents' updates; guids are the Atom entry ids (not
    permalinks), dates RFC 822. `feed_url`, when given, is its atom:link rel="self"."""
    entries = _entries(incidents)
    updated = entries[0][1].created_at if entries else (now or datetime.now(UTC))

    root = ET.Element("rss", version="2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", _clean(page_name))
    _sub(channel, "link", _base(page_url))
    _sub(channel, "description", _clean(f"Incident updates from {page_name}"))
    if feed_url:
        _sub(channel, f"{{{ATOM_NS}}}link", rel="self", type="application/rss+xml", href=feed_url)
    _sub(channel, "lastBuildDate", _rfc822(updated))
    if entries:
        _sub(channel, "pubDate", _rfc822(updated))

    for incident, update in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry_title(incident, update))
        _sub(item, "link", entry_link(page_url, incident))
        _sub(item, "guid", entry_id(update), isPermaLink="false")
        _sub(item, "pubDate", _rfc822(update.created_at))
        for name in component_names(incident):
            _sub(item, "category", name)
        _sub(item, "description", entry_html(incident, update))
    return _serialize(root)
