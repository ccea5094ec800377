"""Chat services: Slack (and Mattermost, Rocket.Chat), Discord, Microsoft Teams, Google Chat."""

import json

from .content import BAD, GOOD, INFO, WARN, clip, details, fit, iso, links, tone, when
from .hosts import Hosts
from .message import Message, Request


def _post_json(url: str, payload: dict, content_type: str = "application/json") -> Request:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Request(method="POST", url=url, headers={"Content-Type": content_type}, body=body)


# Slack: https://api.slack.com/reference/surfaces/formatting#escaping and the Block Kit limits
# (header 150, section text 3000, field 2000 and at most 10 fields, button text 75, url 3000).
_SLACK_EMOJI = {BAD: ":red_circle:", WARN: ":warning:", GOOD: ":large_green_circle:", INFO: ":information_source:"}


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    safe = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    return f"<{safe}|{label}>"


def render_slack(config: dict, message: Message, hosts: Hosts) -> Request:
    emoji = _SLACK_EMOJI[tone(message)]
    rows = details(message, 1900)[:10]
    urls = [(label, url) for label, url in links(message) if len(url) <= 3000]
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(message.title, 150), "emoji": True}},
    ]
    if message.summary:
        summary = slack_escape(clip(message.summary, 2900))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": summary}})
    if rows:
        fields = [
            {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(value)}"} for label, value in rows
        ]
        blocks.append({"type": "section", "fields": fields})
    if urls:
        buttons = [
            {"type": "button", "text": {"type": "plain_text", "text": label}, "url": url}
            | ({"style": "danger"} if label == "Acknowledge" else {})
            for label, url in urls
        ]
        blocks.append({"type": "actions", "elements": buttons})
    footer = f"{emoji} StatusApp · {when(message.occurred_at)}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})

    # Shown alone by Mattermost, Rocket.Chat and notifications, so it carries the essentials itself.
    lines = [f"{emoji} *{slack_escape(clip(message.title, 300))}*"]
    if message.summary:
        lines.append(slack_escape(clip(message.summary, 1000)))
    if message.error:
        lines.append(f"Error: {slack_escape(clip(message.error, 500))}")
    if message.caused_by:
        lines.append(f"Caused by: {slack_escape(clip(message.caused_by, 200))}")
    if urls:
        lines.append(" · ".join(_slack_link(url, label) for label, url in urls))
    return _post_json(config["url"], {"text": "\n".join(lines), "blocks": blocks})


# Discord: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
DISCORD_COLOR = {BAD: 0xD93025, WARN: 0xF0A020, GOOD: 0x2EA043, INFO: 0x5865F2}


def _discord_embed(message: Message, value_limit: int) -> dict:
    description = clip(message.summary, min(value_limit * 2, 2000))
    link_line = " · ".join(f"[{label}]({url})" for label, url in links(message))
    if link_line:
        description = f"{description}\n\n{link_line}" if description else link_line
    embed = {
        "title": clip(message.title, 256),
        "description": clip(description, 4096),
        "color": DISCORD_COLOR[tone(message)],
        "fields": [
            {"name": clip(label, 256), "value": clip(value, min(value_limit, 1024)), "inline": label != "Error"}
            for label, value in details(message, 1024)[:25]
        ],
        "timestamp": iso(message.occurred_at),
        "footer": {"text": "StatusApp"},
    }
    if message.dashboard_url and len(message.dashboard_url) <= 2048:
        embed["url"] = message.dashboard_url
    return embed


def discord_embed_size(embed: dict) -> int:
    """The characters Discord counts against its 6000 limit."""
    size = len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed["footer"]["text"])
    return size + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])


def render_discord(config: dict, message: Message, hosts: Hosts) -> Request:
    limit = 1024
    embed = _discord_embed(message, limit)
    while discord_embed_size(embed) > 6000:
        limit //= 2
        embed = _discord_embed(message, limit)
    payload = {
        "content": clip(message.title, 2000),
        "embeds": [embed],
        # A monitor named "@everyone" must not ping the whole server.
        "allowed_mentions": {"parse": []},
    }
    return _post_json(config["url"], payload)


# Teams Workflows webhooks take an Adaptive Card in a message attachment.
_TEAMS_COLOR = {BAD: "Attention", WARN: "Warning", GOOD: "Good", INFO: "Accent"}


def render_teams(config: dict, message: Message, hosts: Hosts) -> Request:
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": clip(message.title, 300),
            "size": "Large",
            "weight": "Bolder",
            "color": _TEAMS_COLOR[tone(message)],
            "wrap": True,
        }
    ]
    if message.summary:
        body.append({"type": "TextBlock", "text": clip(message.summary, 2000), "wrap": True})
    facts = [{"title": label, "value": value} for label, value in details(message, 2000)]
    if facts:
        body.append({"type": "FactSet", "facts": facts})
    body.append(
        {"type": "TextBlock", "text": f"StatusApp · {when(message.occurred_at)}", "size": "Small", "isSubtle": True}
    )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": label, "url": url} for label, url in links(message)],
        "msteams": {"width": "Full"},
    }
    payload = {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card},
        ],
    }
    return _post_json(config["url"], payload)


# Google Chat text messages: *bold*, <url|text> links; kept under its 4096-character text limit.
GOOGLECHAT_LIMIT = 4000


def _googlechat_text(message: Message, value_limit: int) -> str:
    lines = [f"*{clip(message.title, 300)}*"]
    if message.summary:
        lines.append(clip(message.summary, max(value_limit, 200)))
    lines += [f"{label}: {clip(value, value_limit)}" for label, value in details(message, 1500)]
    urls = links(message)
    if urls:
        lines.append(" | ".join(f"<{url}|{label}>" for label, url in urls))
    return "\n".join(lines)


def render_googlechat(config: dict, message: Message, hosts: Hosts) -> Request:
    text = fit(lambda budget: _googlechat_text(message, budget), GOOGLECHAT_LIMIT, 1500)
    return _post_json(config["url"], {"text": text}, "application/json; charset=UTF-8")
