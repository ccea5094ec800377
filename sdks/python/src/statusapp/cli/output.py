"""How results are printed: tables and records for people, JSON for scripts."""

from __future__ import annotations

import json
from typing import TextIO

MAX_CELL = 60  # characters; longer cells end in an ellipsis


def write_json(value, out: TextIO) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")


def cell(value) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())  # one line per row
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def write_table(headers: list[str], rows: list[list], out: TextIO) -> None:
    cells = [[cell(value) for value in row] for row in rows]
    lines = [headers, *cells]
    widths = [max(len(line[column]) for line in lines) for column in range(len(headers))]
    for line in lines:
        out.write("  ".join(text.ljust(widths[column]) for column, text in enumerate(line)).rstrip() + "\n")


def write_record(record: dict, out: TextIO) -> None:
    """One object, a field per line; a list of objects (an incident's timeline) one entry per line."""
    width = max((len(key) for key in record), default=0)
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(entry, dict) for entry in value):
            out.write(f"{key}:\n")
            for entry in value:
                out.write(f"  - {json.dumps(entry, ensure_ascii=False)}\n")
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.write(f"{key.ljust(width)}  {text}\n")
