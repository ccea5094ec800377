"""Progress of long work on stderr: `monitors 340/1000`, redrawn in place on a terminal,
a line at every tenth of the way otherwise (a CI log). Short work shows nothing."""

from __future__ import annotations

import time
from typing import TextIO

SHOW_FROM = 50  # steps: below that the work is over before a counter helps
REDRAW_EVERY = 0.1  # seconds between redraws on a terminal
BAR_WIDTH = 24


class Progress:
    def __init__(self, stream: TextIO | None, *, show_from: int = SHOW_FROM) -> None:
        """`stream` None: show nothing."""
        self.stream = stream
        self.show_from = show_from
        isatty = getattr(stream, "isatty", None)
        self.terminal = bool(isatty and isatty())

    def meter(self, label: str) -> Meter:
        return Meter(self, label)


class Meter:
    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.label = label
        self.drawn_at = 0.0
        self.tenths_shown = 0
        self.drawn = False

    def __enter__(self) -> Meter:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.drawn and self.progress.terminal and self.progress.stream is not None:
            self.progress.stream.write("\n")
            self.progress.stream.flush()

    def update(self, done: int, total: int) -> None:
        if self.progress.stream is None or total < self.progress.show_from:
            return
        if self.progress.terminal:
            now = time.monotonic()
            if done < total and now - self.drawn_at < REDRAW_EVERY:
                return
            self.drawn_at = now
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.progress.stream.write(f"\r{self.label} {done}/{total} [{bar}] {100 * done // total}%")
        else:
            tenths = 10 * done // total
            if tenths <= self.tenths_shown and done < total:
                return
            if done == total and self.tenths_shown == 10:
                return
            self.tenths_shown = tenths
            self.progress.stream.write(f"{self.label} {done}/{total}\n")
        self.drawn = True
        self.progress.stream.flush()
