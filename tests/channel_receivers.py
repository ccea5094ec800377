"""Real receivers for alert channels, and one checker per service that asserts a received request
is what the service documents.

Reusable by end-to-end tests: start a `Receiver` (HTTP) or `SmtpReceiver` on 127.0.0.1, point
`hosts_for(receiver)` and `configs_for(receiver)` at it, deliver, then run
`CHECKERS[type](recorded, message, config)` (for email, `check_email(received, message, config)`).
"""

import base64
import email
import email.policy
import html
import json
import re
import socket
import threading
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from aiosmtpd.controller import Controller

from webhooks.channels import Hosts, Message, Request

# --- receivers -----------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names, values as received (latin-1)
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("ascii"), keep_blank_values=True, strict_parsing=True)
        assert all(len(values) == 1 for values in parsed.values()), parsed
        return {key: values[0] for key, values in parsed.items()}


class Receiver:
    """A threaded HTTP server on 127.0.0.1 that records every request and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[Recorded] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(Recorded(self.command, self.path, headers, body))
                answer = b'{"ok": true}'
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_POST = do_PUT = do_GET = _record  # noqa: N815 (the stdlib's names)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def take(self) -> Recorded:
        """The one request received since the last take."""
        assert len(self.requests) == 1, f"expected one request, got {len(self.requests)}"
        return self.requests.pop()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def send(request: Request, timeout: float = 5) -> int:
    """Deliver a rendered Request with a plain HTTP client; the response status."""
    outgoing = urllib.request.Request(request.url, data=request.body, headers=request.headers, method=request.method)
    with urllib.request.urlopen(outgoing, timeout=timeout) as response:
        return response.status


@dataclass
class _Mailbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self) -> None:
        with socket.socket() as probe:  # aiosmtpd's Controller needs a port number up front
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mailbox = _Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.mailbox.messages

    def close(self) -> None:
        self.controller.stop()


def hosts_for(receiver: Receiver) -> Hosts:
    return Hosts(
        pagerduty_events_url=f"{receiver.url}/v2/enqueue",
        opsgenie_api_url=receiver.url,
        telegram_api_url=receiver.url,
        pushover_api_url=receiver.url,
        twilio_api_url=receiver.url,
    )


def configs_for(receiver: Receiver) -> dict[str, dict]:
    """A valid config of every type, its URLs on the receiver."""
    return {
        "email": {"to": ["ops@example.com", "oncall@example.org"]},
        "slack": {"url": f"{receiver.url}/services/T000/B000/XXXXXXXX"},
        "discord": {"url": f"{receiver.url}/api/webhooks/123456/abcdefTOKEN"},
        "teams": {"url": f"{receiver.url}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=s3cret"},
        "googlechat": {"url": f"{receiver.url}/v1/spaces/AAAA/messages?key=k3y&token=t0ken"},
        "telegram": {"botToken": "123456789:AAE-abcdefghijklmnopqrstuvwxyz_0123", "chatId": "-1001234567890"},
        "pagerduty": {"routingKey": "R0UT1NGKEY0123456789abcdefabcdef"},
        "opsgenie": {"apiKey": "eb243592-faa2-4ba2-a551-1afdf565c889"},
        "ntfy": {"url": f"{receiver.url}/statusapp-alerts-x7q", "token": "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2"},
        "pushover": {"token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "user": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"},
        "sms": {
            "accountSid": "AC" + "0123456789abcdef" * 2,
            "authToken": "your_auth_token_0123456789abcdef",
            "from": "+15005550006",
            "to": "+41791234567",
        },
    }


# --- sample messages ------------------------------------------------------------------------------

KINDS = (
    "down",
    "up",
    "reminder",
    "escalation",
    "degraded",
    "ssl_expiring",
    "flapping",
    "test",
    "incident_created",
    "incident_updated",
    "incident_resolved",
)

_SAMPLES = {
    "down": ("DOWN", "API is DOWN", "GET https://api.example.com/health failed: HTTP 503."),
    "up": ("UP", "API is UP", "API is back up after 12m 5s of downtime."),
    "reminder": ("DOWN", "API is still DOWN", "API has been DOWN for 30 min."),
    "escalation": ("DOWN", "API is DOWN (escalated)", "Nobody acknowledged API being DOWN for 15 min."),
    "degraded": ("DEGRADED", "API is DEGRADED", "Responses took 4200 ms, over the 2000 ms threshold."),
    "ssl_expiring": ("UP", "API's certificate expires in 6 days", "The TLS certificate expires on 2030-01-07."),
    "flapping": ("FLAPPING", "API is FLAPPING", "API changed state 6 times in 10 minutes."),
    "test": ("TEST", "Test alert from StatusApp", "This is a test: your channel works."),
    "incident_created": ("investigating", "Incident: API errors", "We are investigating elevated errors."),
    "incident_updated": ("identified", "Incident update: API errors", "The cause is a failed deploy."),
    "incident_resolved": ("resolved", "Resolved: API errors", "The incident is resolved."),
}


def sample_message(kind: str, **overrides) -> Message:
    status, title, summary = _SAMPLES[kind]
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    fields = {
        "kind": kind,
        "status": status,
        "title": title,
        "summary": summary,
        "occurred_at": now,
        "dedup_key": "statusapp-mon_8f2a-1893499200",
        "monitor_id": "mon_8f2a",
        "monitor_name": "API",
        "target": "https://api.example.com/health",
        "dashboard_url": "https://status.example.com/dashboard/monitors/mon_8f2a",
        "acknowledge_url": "https://status.example.com/ack/mon_8f2a?t=abc&x=1",
    }
    if kind in ("down", "reminder", "escalation"):
        fields |= {
            "error": "HTTP 503 Service Unavailable",
            "status_code": 503,
            "response_time_ms": 132,
            "since": now - timedelta(minutes=30),
        }
    if kind == "up":
        fields |= {"downtime_seconds": 725, "response_time_ms": 88, "acknowledge_url": ""}
    if kind == "degraded":
        fields |= {"response_time_ms": 4200}
    if kind == "ssl_expiring":
        fields |= {"facts": (("Days left", "6"), ("Expires", "2030-01-07 09:00 UTC"))}
    if kind == "test":
        fields |= {"acknowledge_url": ""}
    return Message(**(fields | overrides))


# --- what each service documents ------------------------------------------------------------------

BAD_KINDS = ("down", "reminder", "escalation")
GOOD_KINDS = ("up", "incident_resolved")


def _links(message: Message) -> list[str]:
    return [url for url in (message.dashboard_url, message.acknowledge_url) if url]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _json_post(recorded: Recorded, path: str, content_type: str = "application/json") -> dict:
    assert recorded.method == "POST"
    assert recorded.path == path, (recorded.path, path)
    assert recorded.headers["content-type"] == content_type
    return recorded.json()


def _head(text: str, size: int = 40) -> str:
    """A prefix of a value that any truncation at the services' limits keeps."""
    return text[:size]


def _check_slack_mrkdwn(text: str) -> None:
    """Slack's escaping: &, < and > only as &amp; &lt; &gt;, except in <url|label> links."""
    bare = re.sub(r"<(https?://[^|<>\s]+)\|([^<>]*)>", r"\2", text)
    assert "<" not in bare and ">" not in bare, text
    assert not re.search(r"&(?!amp;|lt;|gt;)", bare), text


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def check_slack(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, _path(config["url"]))
    text, blocks = body["text"], body["blocks"]
    assert isinstance(text, str) and text.strip()
    _check_slack_mrkdwn(text)
    assert _head(message.title) in slack_unescape(text)
    if message.caused_by:
        assert _head(message.caused_by) in slack_unescape(text)
    for url in _links(message):
        assert f"<{url}|" in text
    assert 1 <= len(blocks) <= 50
    header = blocks[0]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert 1 <= len(header["text"]["text"]) <= 150
    assert header["text"]["text"].startswith(_head(message.title, 100)) or len(message.title) > 150
    buttons = []
    for block in blocks[1:]:
        assert block["type"] in ("section", "context", "actions", "divider")
        if block["type"] == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert block["text"]["type"] == "mrkdwn" and len(block["text"]["text"]) <= 3000
                _check_slack_mrkdwn(block["text"]["text"])
            fields = block.get("fields", [])
            assert len(fields) <= 10
            for f in fields:
                assert f["type"] == "mrkdwn" and 1 <= len(f["text"]) <= 2000
                _check_slack_mrkdwn(f["text"])
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
        elif block["type"] == "actions":
            for button in block["elements"]:
                assert button["type"] == "button" and button["text"]["type"] == "plain_text"
                assert len(button["text"]["text"]) <= 75 and len(button["url"]) <= 3000
                assert button.get("style") in (None, "primary", "danger")
                buttons.append(button["url"])
    assert buttons == _links(message)


def _hue(color: int) -> str:
    r, g, b = color >> 16, (color >> 8) & 0xFF, color & 0xFF
    if r > 150 and g > 100 and b < 80:
        return "amber"
    if r > g and r > b:
        return "red"
    if g > r and g > b:
        return "green"
    return "other"


def check_discord(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, _path(config["url"]))
    assert set(body) <= {"content", "embeds", "allowed_mentions", "username", "avatar_url", "tts"}
    assert len(body.get("content", "")) <= 2000
    assert body.get("allowed_mentions") == {"parse": []}
    embeds = body["embeds"]
    assert 1 <= len(embeds) <= 10
    embed = embeds[0]
    assert 1 <= len(embed["title"]) <= 256 and len(embed.get("description", "")) <= 4096
    assert embed["title"].startswith(_head(message.title)) or len(message.title) > 256
    assert isinstance(embed["color"], int) and 0 <= embed["color"] <= 0xFFFFFF
    expected = {"down": "red", "reminder": "red", "escalation": "red", "up": "green", "degraded": "amber"}
    if message.kind in expected:
        assert _hue(embed["color"]) == expected[message.kind], hex(embed["color"])
    datetime.fromisoformat(embed["timestamp"].replace("Z", "+00:00"))
    fields = embed.get("fields", [])
    assert len(fields) <= 25
    for f in fields:
        assert 1 <= len(f["name"]) <= 256 and 1 <= len(f["value"]) <= 1024 and isinstance(f["inline"], bool)
    total = len(embed["title"]) + len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    if message.caused_by:
        assert any(_head(message.caused_by, 20) in f["value"] for f in fields)
    if message.dashboard_url:
        assert embed["url"] == message.dashboard_url
    for url in _links(message):
        assert f"({url})" in embed["description"]


TEAMS_COLORS = ("Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention")


def check_teams(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, _path(config["url"]))
    assert body["type"] == "message" and len(body["attachments"]) == 1
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = []
    for element in card["body"]:
        assert element["type"] in ("TextBlock", "FactSet")
        if element["type"] == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
            assert element.get("color", "Default") in (
                "Default",
                "Dark",
                "Light",
                "Accent",
                "Good",
                "Warning",
                "Attention",
            )
            texts.append(element["text"])
        else:
            for fact in element["facts"]:
                assert isinstance(fact["title"], str) and isinstance(fact["value"], str)
                texts.append(fact["value"])
    assert card["body"][0]["text"].startswith(_head(message.title))
    if message.caused_by:
        assert any(_head(message.caused_by) in t for t in texts)
    assert len(recorded.body) < 28_000  # Teams' message size limit
    actions = card.get("actions", [])
    assert all(a["type"] == "Action.OpenUrl" and a["title"] for a in actions)
    assert [a["url"] for a in actions] == _links(message)


def check_googlechat(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, _path(config["url"]), "application/json; charset=UTF-8")
    assert set(body) == {"text"}
    text = body["text"]
    assert 1 <= len(text) <= 4096
    assert text.startswith("*" + _head(message.title))
    if message.caused_by:
        assert _head(message.caused_by) in text
    for url in _links(message):
        assert f"<{url}|" in text


_TELEGRAM_TAG = re.compile(r'<(/?)(b|strong|i|em|u|s|code|pre|a)(?: href="([^"<>]*)")?>')


def telegram_visible(text: str) -> str:
    """What Telegram shows for an HTML parse-mode text: tags dropped, entities decoded."""
    return html.unescape(_TELEGRAM_TAG.sub("", text))


def check_telegram(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, f"/bot{config['botToken']}/sendMessage")
    assert str(body["chat_id"]) == config["chatId"]
    assert body["parse_mode"] == "HTML" and body["disable_web_page_preview"] is True
    text = body["text"]
    bare = _TELEGRAM_TAG.sub("", text)
    assert "<" not in bare and ">" not in bare, text
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#\d+;|#x[0-9a-fA-F]+;)", text), text
    assert 1 <= len(telegram_visible(text)) <= 4096 and len(text) <= 4096
    assert _head(message.title) in telegram_visible(text)
    if message.caused_by:
        assert _head(message.caused_by) in telegram_visible(text)
    hrefs = [html.unescape(m.group(3)) for m in _TELEGRAM_TAG.finditer(text) if m.group(2) == "a" and m.group(3)]
    assert hrefs == _links(message)


def check_pagerduty(recorded: Recorded, message: Message, config: dict) -> None:
    body = _json_post(recorded, "/v2/enqueue")
    assert body["routing_key"] == config["routingKey"]
    key = body["dedup_key"]
    assert 1 <= len(key) <= 255
    if message.kind == "test":
        assert key != message.dedup_key and key.startswith("test-")
    else:
        assert key == message.dedup_key
    if message.kind in GOOD_KINDS:
        assert body["event_action"] == "resolve"
        assert set(body) == {"routing_key", "event_action", "dedup_key"}
        return
    assert body["event_action"] == "trigger"
    payload = body["payload"]
    assert 1 <= len(payload["summary"]) <= 1024 and payload["summary"].startswith(_head(message.title))
    assert payload["source"]
    expected = {"test": "info", "degraded": "warning", **dict.fromkeys(BAD_KINDS, "critical")}
    assert payload["severity"] in ("critical", "error", "warning", "info")
    if message.kind in expected:
        assert payload["severity"] == expected[message.kind]
    datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00"))
    assert isinstance(payload["custom_details"], dict)
    if message.caused_by:
        assert _head(message.caused_by) in payload["custom_details"]["Caused by"]
    assert all(set(link) == {"href", "text"} for link in body["links"])
    assert [link["href"] for link in body["links"]] == _links(message)
    assert body["client"]
    if message.dashboard_url:
        assert body["client_url"] == message.dashboard_url


def check_opsgenie(recorded: Recorded, message: Message, config: dict) -> None:
    assert recorded.headers["authorization"] == f"GenieKey {config['apiKey']}"
    if message.kind in GOOD_KINDS:
        body = _json_post(recorded, f"/v2/alerts/{quote(message.dedup_key, safe='')}/close?identifierType=alias")
        assert set(body) <= {"user", "source", "note"}
        assert len(body.get("source", "")) <= 100 and len(body.get("note", "")) <= 25000
        return
    body = _json_post(recorded, "/v2/alerts")
    assert 1 <= len(body["message"]) <= 130 and body["message"].startswith(_head(message.title, 60))
    assert 1 <= len(body["alias"]) <= 512
    if message.kind == "test":
        assert body["alias"] != message.dedup_key
    else:
        assert body["alias"] == message.dedup_key
    assert len(body["description"]) <= 15000
    assert body["priority"] in ("P1", "P2", "P3", "P4", "P5")
    if message.kind in BAD_KINDS:
        assert body["priority"] == "P1"
    assert len(body["source"]) <= 100 and len(body.get("entity", "")) <= 512
    tags = body.get("tags", [])
    assert len(tags) <= 20 and all(1 <= len(t) <= 50 for t in tags)
    details = body.get("details", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in details.items())
    assert sum(len(k) + len(v) for k, v in details.items()) <= 8000
    if message.caused_by:
        assert _head(message.caused_by) in body["description"]
    for url in _links(message):
        assert url in body["description"]


def ntfy_decode(value: str) -> str:
    """A received header value as ntfy reads it: RFC 2047 encoded words decoded."""
    return str(make_header(decode_header(value))) if "=?" in value else value


def check_ntfy(recorded: Recorded, message: Message, config: dict) -> None:
    assert recorded.method == "POST" and recorded.path == _path(config["url"])
    for name, value in recorded.headers.items():
        assert value.isascii(), (name, value)  # latin-1-safe everywhere, non-ASCII as RFC 2047
    assert len(recorded.body) <= 4096
    text = recorded.body.decode("utf-8")
    assert text.strip()
    assert ntfy_decode(recorded.headers["title"]).startswith(_head(message.title))
    assert recorded.headers["priority"] in ("1", "2", "3", "4", "5", "min", "low", "default", "high", "max", "urgent")
    if message.kind == "down":
        assert recorded.headers["priority"] in ("5", "max", "urgent")
    assert re.fullmatch(r"[a-z0-9_+-]+(,[a-z0-9_+-]+)*", recorded.headers["tags"])
    if message.dashboard_url:
        assert ntfy_decode(recorded.headers["click"]) == message.dashboard_url
    if message.acknowledge_url:
        action = [part.strip().strip('"') for part in ntfy_decode(recorded.headers["actions"]).split(", ")]
        assert action[:3] == ["view", "Acknowledge", message.acknowledge_url]
    else:
        assert "actions" not in recorded.headers
    if config.get("token"):
        assert recorded.headers["authorization"] == f"Bearer {config['token']}"
    else:
        assert "authorization" not in recorded.headers
    if message.caused_by:
        assert _head(message.caused_by) in text


def check_pushover(recorded: Recorded, message: Message, config: dict) -> None:
    assert recorded.method == "POST" and recorded.path == "/1/messages.json"
    assert recorded.headers["content-type"] == "application/x-www-form-urlencoded"
    form = recorded.form()
    assert set(form) <= {"token", "user", "message", "title", "url", "url_title", "priority", "timestamp", "html"}
    assert form["token"] == config["token"] and form["user"] == config["user"]
    assert 1 <= len(form["message"]) <= 1024 and len(form["title"]) <= 250
    assert form["title"].startswith(_head(message.title))
    assert len(form.get("url", "")) <= 512 and len(form.get("url_title", "")) <= 100
    assert form.get("url", "") in _links(message) + [""]
    assert int(form["priority"]) in (-2, -1, 0, 1)  # 2 would need retry and expire
    if message.kind == "down":
        assert form["priority"] == "1"
    assert int(form["timestamp"]) == int(message.occurred_at.timestamp())
    if message.caused_by:
        assert _head(message.caused_by) in form["message"]


def check_sms(recorded: Recorded, message: Message, config: dict) -> None:
    assert recorded.method == "POST"
    assert recorded.path == f"/2010-04-01/Accounts/{config['accountSid']}/Messages.json"
    assert recorded.headers["content-type"] == "application/x-www-form-urlencoded"
    scheme, _, credentials = recorded.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{config['accountSid']}:{config['authToken']}"
    form = recorded.form()
    assert set(form) == {"To", "From", "Body"}
    assert form["To"] == config["to"] and form["From"] == config["from"]
    assert 1 <= len(form["Body"]) <= 320  # two segments at most; Twilio's hard cap is 1600
    assert _head(message.title, 20) in form["Body"]
    if message.caused_by:
        assert _head(message.caused_by, 10) in form["Body"]


def _part(received: email.message.EmailMessage, subtype: str) -> str:
    part = received.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    return part.get_content()


def check_email(received: email.message.EmailMessage, message: Message, config: dict) -> None:
    """`received` is the message an SMTP server accepted."""
    assert sorted(a.addr_spec for a in received["To"].addresses) == sorted(config["to"])
    subject = str(received["Subject"])
    assert "\n" not in subject and "\r" not in subject
    assert _head(message.monitor_name or message.title, 30) in subject
    assert _head(message.title, 30) in subject or len(message.title) > 150
    text, body = _part(received, "plain"), _part(received, "html")
    for rendered in (text, html.unescape(body)):
        assert _head(message.title) in rendered
        if message.error:
            assert _head(message.error) in rendered
        if message.response_time_ms is not None:
            assert f"{message.response_time_ms} ms" in rendered
        if message.caused_by:
            assert _head(message.caused_by) in rendered
    for url in _links(message):
        assert url in text
        assert f'href="{html.escape(url)}"' in body
    # Whatever the monitor is called, it is text in the HTML, never markup.
    for value in (message.title, message.monitor_name, message.error):
        if value and "<" in value:
            assert value not in body and html.escape(value)[:30] in body


CHECKERS = {
    "slack": check_slack,
    "discord": check_discord,
    "teams": check_teams,
    "googlechat": check_googlechat,
    "telegram": check_telegram,
    "pagerduty": check_pagerduty,
    "opsgenie": check_opsgenie,
    "ntfy": check_ntfy,
    "pushover": check_pushover,
    "sms": check_sms,
}
