"""Apprise channels: one URL reaching any of Apprise's 100+ services. Apprise connects by
itself, past the address guard, so only installs that set STATUSAPP_APPRISE use it."""

from .content import BAD, GOOD, INFO, clip, details, links, tone
from .message import AppriseNotice, Message

_NOTIFY_TYPE = {BAD: "failure", GOOD: "success", INFO: "info"}


def render_apprise(config: dict, message: Message) -> AppriseNotice:
    lines = [message.summary, ""]
    lines += [f"{label}: {value}" for label, value in details(message)]
    lines += [f"{label}: {url}" for label, url in links(message)]
    return AppriseNotice(
        url=config["url"],
        title=clip(message.title, 250),
        body=clip("\n".join(lines), 4000),
        notify_type=_NOTIFY_TYPE.get(tone(message), "warning"),
    )
