"""Push and phone services: Telegram, ntfy, Pushover, SMS through Twilio."""

import base64
import html
import json
from urllib.parse import urlencode

from .content import BAD, GOOD, INFO, WARN, clip, details, fit, links, tone
from .hosts import Hosts
from .message import Message, Request

FORM = "application/x-www-form-urlencoded"


# Telegram sendMessage, parse_mode HTML: only &, < and > are escaped in text (and " in href);
# the text may be at most 4096 characters.
TELEGRAM_LIMIT = 4096
_TELEGRAM_EMOJI = {BAD: "🔴", WARN: "⚠️", GOOD: "✅", INFO: "ℹ️"}


def telegram_escape(text: str) -> str:
    return html.escape(text, quote=False)


def _telegram_text(message: Message, value_limit: int) -> str:
    lines = [f"{_TELEGRAM_EMOJI[tone(message)]} <b>{telegram_escape(clip(message.title, 300))}</b>"]
    if message.summary:
        lines.append(telegram_escape(clip(message.summary, max(value_limit, 200))))
    lines.append("")
    for label, value in details(message, value_limit):
        lines.append(f"<b>{telegram_escape(label)}:</b> {telegram_escape(value)}")
    urls = links(message)
    if urls:
        lines.append("")
        lines.append(" · ".join(f'<a href="{html.escape(url, quote=True)}">{label}</a>' for label, url in urls))
    return "\n".join(lines)


def render_telegram(config: dict, message: Message, hosts: Hosts) -> Request:
    text = fit(lambda budget: _telegram_text(message, budget), TELEGRAM_LIMIT, 1500)
    payload = {"chat_id": config["chatId"], "text": text, "parse_mode": "HTML", "disable_web_page_preview": True}
    url = f"{hosts.telegram_api_url.rstrip('/')}/bot{config['botToken']}/sendMessage"
    return Request(
        method="POST",
        url=url,
        headers={"Content-Type": "application/json"},
        body=json.dumps(payload, ensure_ascii=False).encode(),
    )


# ntfy: the message is the body (over 4096 bytes ntfy would make it an attachment); title,
# priority, tags, click and actions ride in headers. Non-ASCII header values are sent as RFC 2047
# encoded words, which ntfy decodes on every header (docs.ntfy.sh/publish, "Message title").
NTFY_BODY_LIMIT = 4096
_NTFY_PRIORITY = {BAD: "5", WARN: "4", GOOD: "3", INFO: "3"}
_NTFY_TAGS = {BAD: "rotating_light", WARN: "warning", GOOD: "white_check_mark", INFO: "information_source"}


def ntfy_header(value: str) -> str:
    """The value as-is when plain ASCII, otherwise one RFC 2047 base64 encoded word."""
    if value.isascii() and "=?" not in value:
        return value
    return f"=?UTF-8?B?{base64.b64encode(value.encode()).decode()}?="


def _ntfy_action_value(text: str) -> str:
    # The simple Actions format splits on "," and ";"; quoting keeps such values whole.
    return f'"{text}"' if any(c in text for c in ",;\"'") else text


def _ntfy_body(message: Message, value_limit: int) -> str:
    lines = [clip(message.summary, max(value_limit, 200))] if message.summary else []
    lines += [f"{label}: {value}" for label, value in details(message, value_limit)]
    return "\n".join(lines) or message.title


def render_ntfy(config: dict, message: Message, hosts: Hosts) -> Request:
    body = fit(lambda budget: _ntfy_body(message, budget), NTFY_BODY_LIMIT, 1500, size=lambda s: len(s.encode()))
    headers = {
        "Content-Type": "text/plain; charset=utf-8",
        "Title": ntfy_header(clip(message.title, 250)),
        "Priority": "4" if message.kind == "reminder" else _NTFY_PRIORITY[tone(message)],
        "Tags": _NTFY_TAGS[tone(message)],
    }
    if message.dashboard_url:
        headers["Click"] = ntfy_header(message.dashboard_url)
    if message.acknowledge_url:
        action = f"view, Acknowledge, {_ntfy_action_value(message.acknowledge_url)}, clear=true"
        headers["Actions"] = ntfy_header(action)
    if config.get("token"):
        headers["Authorization"] = f"Bearer {config['token']}"
    return Request(method="POST", url=config["url"], headers=headers, body=body.encode())


# Pushover https://pushover.net/api : message <= 1024, title <= 250, url <= 512, url_title <= 100.
_PUSHOVER_PRIORITY = {BAD: "1", WARN: "0", GOOD: "0", INFO: "-1"}


def _pushover_message(message: Message, value_limit: int) -> str:
    lines = [clip(message.summary, max(value_limit, 100))] if message.summary else []
    lines += [f"{label}: {clip(value, value_limit)}" for label, value in details(message, 1000)]
    return "\n".join(lines) or message.title


def render_pushover(config: dict, message: Message, hosts: Hosts) -> Request:
    form = {
        "token": config["token"],
        "user": config["user"],
        "title": clip(message.title, 250),
        "message": fit(lambda budget: _pushover_message(message, budget), 1024, 500),
        "priority": _PUSHOVER_PRIORITY[tone(message)],
        "timestamp": str(int(message.occurred_at.timestamp())),
    }
    # One supplementary link: acknowledging when something is broken, the dashboard otherwise.
    choices = links(message)
    if tone(message) == BAD:
        choices.reverse()
    for label, url in choices:
        if len(url) <= 512:
            form["url"], form["url_title"] = url, label
            break
    url = f"{hosts.pushover_api_url.rstrip('/')}/1/messages.json"
    return Request(method="POST", url=url, headers={"Content-Type": FORM}, body=urlencode(form).encode())


# Twilio Messages API; a body of at most 320 characters is one or two segments of plain text.
SMS_LIMIT = 320


def _sms_body(message: Message, budget: int) -> str:
    text = f"StatusApp: {clip(message.title, 120)}"
    if message.caused_by:
        text += f" (caused by {clip(message.caused_by, 60)})"
    detail = message.error or message.summary
    if detail and budget:
        text += f" - {clip(detail, budget)}"
    link = message.acknowledge_url if tone(message) == BAD and message.acknowledge_url else message.dashboard_url
    if link and len(link) <= 150:
        text += f" {link}"
    return text


def render_sms(config: dict, message: Message, hosts: Hosts) -> Request:
    body = fit(lambda budget: _sms_body(message, budget), SMS_LIMIT, 200)
    sid = config["accountSid"]
    credentials = base64.b64encode(f"{sid}:{config['authToken']}".encode()).decode()
    form = {"To": config["to"], "From": config["from"], "Body": body}
    return Request(
        method="POST",
        url=f"{hosts.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json",
        headers={"Content-Type": FORM, "Authorization": f"Basic {credentials}"},
        body=urlencode(form).encode(),
    )
