"""The 90-day uptime bar as HTML, written here rather than in the template: a page of 50
components has 4,500 day cells, and the template engine's loop costs several times more.

A cell is only its colour (`<i></i>` for a good day, `<i class=x></i>` for a bad one), so
a page of 50 components stays small; the
bar carries the days' uptimes and incident titles as data, and bars.js builds a cell's
tooltip (date, uptime, incidents) when it is hovered or tapped. Without JavaScript the
colours and the bar's summary (its aria-label) still read.
"""

import json

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .snapshot import Component

# Cell classes, one letter each: thousands of them are on a page, most of them good days.
LEVEL_CLASS = {"up": "", "minor": "m", "partial": "p", "major": "x", "nodata": "n"}
CELLS = {level: f"<i class={letter}></i>" if letter else "<i></i>" for level, letter in LEVEL_CLASS.items()}


def _percent(uptime: float | None) -> str:
    return "" if uptime is None else f"{uptime:.2f}".rstrip("0").rstrip(".")


def bar(component: Component) -> SafeString:
    days = component.days
    uptimes = ",".join(_percent(day.uptime) for day in days)
    incidents = {index: day.incidents for index, day in enumerate(days) if day.incidents}
    cells = "".join(CELLS[day.level] for day in days)
    attributes = f'data-end="{days[-1].date.isoformat()}" data-uptimes="{uptimes}"'
    if incidents:
        attributes += f' data-incidents="{escape(json.dumps(incidents, separators=(",", ":")))}"'
    return mark_safe(f'<div class="bar" {attributes}>{cells}</div>')  # noqa: S308 (the only text is escaped)
