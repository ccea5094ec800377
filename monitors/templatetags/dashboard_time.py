"""`{{ moment|when }}`: the dashboard's one way of showing a point in time, in the active
time zone (Django's, which a person's setting may switch per request). The monitor chart's
script formats its axis with the same fields (static/dashboard/monitor-chart.js)."""

from datetime import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# "Dec 7, 14:05:09": what Intl.DateTimeFormat gives for {month: "short", day: "numeric",
# hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"} in English.
TIME_FORMAT = "M j, H:i:s"


def when_text(moment: datetime) -> str:
    return dateformat.format(timezone.localtime(moment), TIME_FORMAT)


@register.filter
def when(moment: datetime | None) -> SafeString | str:
    """A <time> element with the machine-readable instant and the readable local time."""
    if moment is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), when_text(moment))


@register.filter(name="when_text")
def when_text_filter(moment: datetime | None) -> str:
    """The readable local time alone, for a tooltip."""
    return "" if moment is None else when_text(moment)
