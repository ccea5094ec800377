"""shields.io-style "flat" SVG badges, and shields.io endpoint JSON, for monitors and pages.

Pure functions: the views find the figures (a monitor's status, its uptime from
monitors.selectors.uptime_by_monitor, its response time, a page snapshot's indicator)
and pass them in. Each badge's parts come from a `*_parts` function returning
(label, message, color), so the SVG and the endpoint JSON always agree:

    svg(*uptime_parts(99.95, "30d"))  ==  uptime_badge(99.95, "30d")
    shields_endpoint(*uptime_parts(99.95, "30d"))
"""

import re
import xml.etree.ElementTree as ET
from decimal import ROUND_DOWN, Decimal

SVG_NS = "http://www.w3.org/2000/svg"

# The periods a badge can show uptime for: monitors.selectors.WINDOWS's keys.
PERIODS = ("24h", "7d", "30d", "90d")
DEFAULT_PERIOD = "30d"

LABEL_COLOR = "#555"
BRIGHTGREEN = "#4c1"
GREEN = "#97ca00"
YELLOW = "#dfb317"
RED = "#e05d44"
GREY = "#9f9f9f"
BLUE = "#007ec6"

STATUS_COLORS = {
    "up": BRIGHTGREEN,
    "degraded": YELLOW,
    "down": RED,
    "paused": GREY,
    "pending": GREY,
}
INDICATOR_COLORS = {"none": BRIGHTGREEN, "minor": YELLOW, "major": RED, "critical": RED}
NO_DATA = "no data"

HEIGHT = 20
PADDING = 5  # each side of a text
FONT_FAMILY = "Verdana,Geneva,DejaVu Sans,sans-serif"
FONT_SIZE = 11

# Advance widths in px of Verdana at 11px (units per em 2048), for the characters badges
# mostly show; anything else counts as DEFAULT_WIDTH, or WIDE_WIDTH for a capital.
_LOWERCASE = "abcdefghijklmnopqrstuvwxyz"
_LOWERCASE_WIDTHS = (6.6, 6.9, 5.7, 6.9, 6.6, 3.9, 6.9, 7.0, 3.0, 3.6, 6.4, 3.0, 10.7)
_LOWERCASE_WIDTHS += (7.0, 6.7, 6.9, 6.9, 4.7, 5.7, 4.3, 7.0, 6.4, 8.9, 6.4, 6.4, 5.7)
_WIDTHS = {
    **dict.fromkeys("0123456789", 7.0),
    **dict(zip(_LOWERCASE, _LOWERCASE_WIDTHS, strict=True)),
    " ": 3.9,
    ".": 4.0,
    ",": 4.0,
    ":": 4.6,
    ";": 4.6,
    "-": 4.7,
    "_": 7.0,
    "%": 11.8,
    "/": 4.9,
    "(": 4.9,
    ")": 4.9,
    "!": 4.3,
    "'": 3.0,
    '"': 5.1,
    "&": 8.0,
    "<": 9.2,
    ">": 9.2,
    "I": 4.6,
    "J": 5.0,
    "M": 8.9,
    "W": 10.8,
}
DEFAULT_WIDTH = 7.0
WIDE_WIDTH = 7.6

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str | None) -> str:
    """The text without the characters XML 1.0 cannot hold (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text or "")


def text_width(text: str) -> float:
    """About how wide `text` is in 11px Verdana."""
    return sum(_WIDTHS.get(char, WIDE_WIDTH if char.isupper() else DEFAULT_WIDTH) for char in text)


def _number(value: float) -> str:
    return f"{value:g}"


def svg(label: str, message: str, color: str) -> bytes:
    """A flat two-part badge: `label` on grey, `message` on `color` (any SVG paint, such as
    "#4c1"). An empty label leaves the message part alone, as shields.io does."""
    label, message, color = _clean(label), _clean(message), _clean(color) or GREY
    title = f"{label}: {message}" if label else message
    label_width = round(text_width(label)) + 2 * PADDING if label else 0
    message_width = round(text_width(message)) + 2 * PADDING
    width = label_width + message_width

    # Unqualified names and an xmlns attribute: ElementTree's default_namespace option
    # rejects unqualified attribute names.
    root = ET.Element(
        "svg",
        xmlns=SVG_NS,
        width=str(width),
        height=str(HEIGHT),
        viewBox=f"0 0 {width} {HEIGHT}",
        role="img",
        **{"aria-label": title},
    )
    ET.SubElement(root, "title").text = title
    gradient = ET.SubElement(root, "linearGradient", id="s", x2="0", y2="100%")
    ET.SubElement(gradient, "stop", offset="0", **{"stop-color": "#bbb", "stop-opacity": ".1"})
    ET.SubElement(gradient, "stop", offset="1", **{"stop-opacity": ".1"})
    clip = ET.SubElement(root, "clipPath", id="r")
    ET.SubElement(clip, "rect", width=str(width), height=str(HEIGHT), rx="3", fill="#fff")

    shapes = ET.SubElement(root, "g", **{"clip-path": "url(#r)"})
    if label:
        ET.SubElement(shapes, "rect", width=str(label_width), height=str(HEIGHT), fill=LABEL_COLOR)
    ET.SubElement(shapes, "rect", x=str(label_width), width=str(message_width), height=str(HEIGHT), fill=color)
    ET.SubElement(shapes, "rect", width=str(width), height=str(HEIGHT), fill="url(#s)")

    texts = ET.SubElement(
        root,
        "g",
        fill="#fff",
        **{
            "text-anchor": "middle",
            "font-family": FONT_FAMILY,
            "text-rendering": "geometricPrecision",
            "font-size": str(FONT_SIZE),
        },
    )
    parts = [(label, 0, label_width)] if label else []
    parts.append((message, label_width, message_width))
    for text, left, part_width in parts:
        center = _number(left + part_width / 2)
        length = str(part_width - 2 * PADDING)
        shadow = ET.SubElement(
            texts,
            "text",
            x=center,
            y="15",
            fill="#010101",
            textLength=length,
            **{"aria-hidden": "true", "fill-opacity": ".3"},
        )
        shadow.text = text
        ET.SubElement(texts, "text", x=center, y="14", textLength=length).text = text
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def shields_endpoint(label: str, message: str, color: str) -> dict:
    """The JSON for shields.io's endpoint badge (https://shields.io/badges/endpoint-badge)."""
    return {"schemaVersion": 1, "label": label, "message": message, "color": color}


def parse_period(value: str | None) -> str:
    """An uptime period from a query string: 24h, 7d, 30d or 90d; 30d when absent or empty."""
    if value is None or value == "":
        return DEFAULT_PERIOD
    if value in PERIODS:
        return value
    raise ValueError(f"Unknown period {value!r}; use one of {', '.join(PERIODS)}.")


def status_parts(monitor_status: str | None) -> tuple[str, str, str]:
    """A monitor's status (Monitor.Status, any case): up, degraded, down, paused or pending."""
    message = (monitor_status or "pending").lower()
    return "status", message, STATUS_COLORS.get(message, GREY)


def uptime_color(percent: float) -> str:
    if percent >= 99.9:
        return BRIGHTGREEN
    if percent >= 99:
        return GREEN
    if percent >= 95:
        return YELLOW
    return RED


def format_percent(percent: float) -> str:
    """Two decimals at most, rounded down, so that 99.999 shows 99.99% and never 100%."""
    value = Decimal(str(percent)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    text = f"{value:f}".rstrip("0").rstrip(".")
    return f"{text}%"


def uptime_parts(percent: float | None, period: str | None = DEFAULT_PERIOD) -> tuple[str, str, str]:
    """Uptime over `period` (a percentage, or None without checks: "no data" on grey)."""
    label = f"uptime {parse_period(period)}"
    if percent is None:
        return label, NO_DATA, GREY
    return label, format_percent(percent), uptime_color(percent)


def response_parts(ms: int | float | None) -> tuple[str, str, str]:
    """The latest response time in milliseconds, or None: "no data" on grey."""
    if ms is None:
        return "response", NO_DATA, GREY
    return "response", f"{round(ms)} ms", BLUE


def page_parts(indicator: str, description: str) -> tuple[str, str, str]:
    """A page's Statuspage indicator (none, minor, major, critical) and its description."""
    return "status", description, INDICATOR_COLORS.get(indicator, GREY)


def status_badge(monitor_status: str | None) -> bytes:
    return svg(*status_parts(monitor_status))


def uptime_badge(percent: float | None, period: str | None = DEFAULT_PERIOD) -> bytes:
    return svg(*uptime_parts(percent, period))


def response_badge(ms: int | float | None) -> bytes:
    return svg(*response_parts(ms))


def page_badge(indicator: str, description: str) -> bytes:
    return svg(*page_parts(indicator, description))
