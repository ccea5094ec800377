"""The 90-day uptime bar as HTML, written here rather than in the template: a page of 50
components has 4,500 day cells, and the template engine's loop costs several times more."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .snapshot import Component, Day


def _tip(day: Day) -> str:
    uptime = "no data" if day.uptime is None else f"{day.uptime:.2f}% uptime"
    incidents = "; ".join(day.incidents) if day.incidents else "no incidents"
    return escape(f"{day.date:%b %-d, %Y} · {uptime} · {incidents}")


def bar(component: Component) -> SafeString:
    cells = "".join(f'<i class="d {day.level}" data-tip="{_tip(day)}"></i>' for day in component.days)
    return mark_safe(f'<div class="bar">{cells}</div>')  # noqa: S308 (every text part is escaped above)
