"""shields.io-style SVG badges and endpoint JSON."""

import xml.etree.ElementTree as ET

import pytest

from monitors.models import Monitor
from monitors.selectors import WINDOWS
from statuspages import badges

S = "{http://www.w3.org/2000/svg}"


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b"<?xml")
    root = ET.fromstring(data)  # noqa: S314 - our own output
    assert root.tag == f"{S}svg"
    return root


def message_fill(root: ET.Element) -> str:
    """The fill of the message part: the last coloured rect before the gradient overlay."""
    rects = root.findall(f"{S}g/{S}rect")
    return rects[-2].get("fill")


def texts(root: ET.Element) -> list[str]:
    return [text.text for text in root.iter(f"{S}text")]


def test_svg_structure():
    root = parse(badges.svg("build", "passing", "#4c1"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "build: passing"
    assert root.findtext(f"{S}title") == "build: passing"
    assert int(root.get("height")) == 20
    label_rect, message_rect, overlay = root.findall(f"{S}g/{S}rect")
    assert label_rect.get("fill") == "#555"
    assert message_rect.get("fill") == "#4c1"
    width = int(root.get("width"))
    assert int(label_rect.get("width")) + int(message_rect.get("width")) == width == int(overlay.get("width"))
    assert message_rect.get("x") == label_rect.get("width")
    # Each text twice: the shadow (hidden from screen readers) and the text itself.
    assert texts(root) == ["build", "build", "passing", "passing"]
    assert [t.get("aria-hidden") for t in root.iter(f"{S}text")] == ["true", None, "true", None]


def test_width_grows_with_text():
    short = parse(badges.svg("a", "b", "#4c1"))
    long = parse(badges.svg("a", "a much longer message", "#4c1"))
    assert int(long.get("width")) > int(short.get("width"))
    # About 6-7 px a character, plus 10 px of padding per part.
    message_width = int(long.findall(f"{S}g/{S}rect")[1].get("width"))
    assert 6 * 21 + 10 <= message_width <= 7.5 * 21 + 10


def test_empty_label_is_a_single_part():
    root = parse(badges.svg("", "only", "#e05d44"))
    assert root.get("aria-label") == "only"
    rects = root.findall(f"{S}g/{S}rect")
    assert [r.get("fill") for r in rects] == ["#e05d44", "url(#s)"]
    assert texts(root) == ["only", "only"]


def test_text_is_escaped():
    label, message = 'a<b & "c"', "<script>alert('x')</script> & more \x00"
    data = badges.svg(label, message, '#fff" onload="alert(1)')
    assert b"<script>" not in data
    assert b'" onload="' not in data
    root = parse(data)
    assert texts(root)[0] == label
    assert texts(root)[2] == "<script>alert('x')</script> & more "  # control character dropped
    assert root.get("aria-label") == f"{label}: <script>alert('x')</script> & more "
    assert root.findtext(f"{S}title") == root.get("aria-label")
    assert message_fill(root) == '#fff" onload="alert(1)'  # only ever an attribute value


@pytest.mark.parametrize(
    ("status", "message", "color"),
    [
        (Monitor.Status.UP, "up", "#4c1"),
        (Monitor.Status.DEGRADED, "degraded", "#dfb317"),
        (Monitor.Status.DOWN, "down", "#e05d44"),
        (Monitor.Status.PAUSED, "paused", "#9f9f9f"),
        (Monitor.Status.PENDING, "pending", "#9f9f9f"),
        ("up", "up", "#4c1"),
    ],
)
def test_status_badge(status, message, color):
    root = parse(badges.status_badge(status))
    assert root.get("aria-label") == f"status: {message}"
    assert message in texts(root)
    assert message_fill(root) == color
    assert badges.status_parts(status) == ("status", message, color)


@pytest.mark.parametrize(
    ("percent", "message", "color"),
    [
        (100, "100%", "#4c1"),
        (100.0, "100%", "#4c1"),
        (99.95, "99.95%", "#4c1"),
        (99.9, "99.9%", "#4c1"),
        (99.899, "99.89%", "#97ca00"),
        (99.0, "99%", "#97ca00"),
        (98.999, "98.99%", "#dfb317"),
        (95, "95%", "#dfb317"),
        (94.999, "94.99%", "#e05d44"),
        (0, "0%", "#e05d44"),
        (99.999, "99.99%", "#4c1"),  # rounded down: never shows 100% with downtime
    ],
)
def test_uptime_badge_colour_boundaries(percent, message, color):
    root = parse(badges.uptime_badge(percent, "7d"))
    assert root.get("aria-label") == f"uptime 7d: {message}"
    assert message in texts(root)
    assert message_fill(root) == color


def test_uptime_badge_without_data_and_default_period():
    root = parse(badges.uptime_badge(None, "24h"))
    assert root.get("aria-label") == "uptime 24h: no data"
    assert message_fill(root) == "#9f9f9f"
    assert badges.uptime_parts(99.5, None) == ("uptime 30d", "99.5%", "#97ca00")
    assert parse(badges.uptime_badge(99.5)).get("aria-label") == "uptime 30d: 99.5%"
    with pytest.raises(ValueError):
        badges.uptime_badge(99.5, "1y")


def test_response_badge():
    root = parse(badges.response_badge(123))
    assert root.get("aria-label") == "response: 123 ms"
    assert "123 ms" in texts(root)
    assert badges.response_parts(123.6) == ("response", "124 ms", "#007ec6")
    assert badges.response_parts(None) == ("response", "no data", "#9f9f9f")


@pytest.mark.parametrize(
    ("indicator", "color"),
    [("none", "#4c1"), ("minor", "#dfb317"), ("major", "#e05d44"), ("critical", "#e05d44"), ("odd", "#9f9f9f")],
)
def test_page_badge(indicator, color):
    root = parse(badges.page_badge(indicator, "Partial System Outage"))
    assert root.get("aria-label") == "status: Partial System Outage"
    assert "Partial System Outage" in texts(root)
    assert message_fill(root) == color


def test_shields_endpoint():
    assert badges.shields_endpoint("uptime 30d", "99.95%", "#4c1") == {
        "schemaVersion": 1,
        "label": "uptime 30d",
        "message": "99.95%",
        "color": "#4c1",
    }
    assert badges.shields_endpoint(*badges.status_parts("DOWN")) == {
        "schemaVersion": 1,
        "label": "status",
        "message": "down",
        "color": "#e05d44",
    }


@pytest.mark.parametrize(("value", "period"), [("24h", "24h"), ("7d", "7d"), ("30d", "30d"), ("90d", "90d")])
def test_parse_period_accepts_the_windows(value, period):
    assert badges.parse_period(value) == period


@pytest.mark.parametrize("value", [None, ""])
def test_parse_period_defaults_to_30d(value):
    assert badges.parse_period(value) == "30d"


@pytest.mark.parametrize("value", ["1y", "30", "30D", " 30d", "7d ", "d", "0d", "-7d", "24H", "all", 30])
def test_parse_period_rejects_anything_else(value):
    with pytest.raises(ValueError, match="Unknown period"):
        badges.parse_period(value)


def test_periods_are_the_uptime_windows():
    assert set(badges.PERIODS) == set(WINDOWS)
