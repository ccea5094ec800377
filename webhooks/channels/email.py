"""Email: a subject naming the monitor and its state, and matching plain-text and HTML bodies."""

import html

from .content import BAD, GOOD, INFO, WARN, clip, details, links, tone, when
from .hosts import Hosts
from .message import Email, Message

_COLOR = {BAD: "#d93025", WARN: "#b26a00", GOOD: "#1e7e34", INFO: "#1a56db"}


def subject(message: Message) -> str:
    title = " ".join(message.title.split())  # no CR/LF: a header
    if message.monitor_name and message.monitor_name not in title:
        title = f"{' '.join(message.monitor_name.split())}: {title}"
    return clip(f"[StatusApp] {title}", 200)


def render_email(config: dict, message: Message, hosts: Hosts) -> Email:
    rows = details(message, 5000)
    urls = links(message)

    text_lines = [message.title, ""]
    if message.summary:
        text_lines += [message.summary, ""]
    text_lines += [f"{label}: {value}" for label, value in rows]
    text_lines += [""] + [f"{label}: {url}" for label, url in urls]
    text_lines += ["", f"Sent by StatusApp at {when(message.occurred_at)}."]

    esc = html.escape
    table = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{esc(label)}</th>'
        f'<td style="white-space:pre-wrap">{esc(value)}</td></tr>'
        for label, value in rows
    )
    buttons = " ".join(
        f'<a href="{esc(url)}" style="display:inline-block;padding:6px 12px;margin-right:8px;'
        f'border:1px solid #888;border-radius:4px;text-decoration:none">{esc(label)}</a>'
        for label, url in urls
    )
    body = f"""<!DOCTYPE html>
<html><body style="font-family:sans-serif">
<h2 style="color:{_COLOR[tone(message)]}">{esc(message.title)}</h2>
{f"<p>{esc(message.summary)}</p>" if message.summary else ""}
<table>{table}</table>
<p>{buttons}</p>
<p style="color:#666;font-size:small">Sent by StatusApp at {esc(when(message.occurred_at))}.</p>
</body></html>
"""
    return Email(to=tuple(config["to"]), subject=subject(message), text="\n".join(text_lines).strip() + "\n", html=body)
