"""`make run`: the Procfile's processes (web, Celery worker, Celery beat) in one terminal.

Run as `python -m statusapp.run` (the Makefile `exec`s it after migrating). Each process
runs in a process group of its own, its output prefixed by its name. The terminal's Ctrl-C
(SIGINT to the foreground process group) or a SIGTERM reaches only this launcher, which
sends each process a single SIGTERM: gunicorn finishes the requests in hand, the worker its
tasks in hand (a warm shutdown), beat stops, each exits by itself, and the launcher exits 0.
Signalled directly as honcho did (SIGTERM to each process group, SIGKILL 5 s later), the
worker's pool processes died mid-task and a worker still shutting down was killed.
"""

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from .celery import READY_DIR_VARIABLE

STOP_TIMEOUT = 30  # seconds a process may take to finish its work in hand before it is killed
READY_TIMEOUT = 120  # seconds to wait for web, worker and beat before saying they are not up
SETTLE_QUIET, SETTLE_MAX = 0.5, 5.0  # seconds without output, at most, before the address is printed
CELERY = ("worker", "beat")  # the processes that mark themselves ready (statusapp.celery)
CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
_PR_SET_PDEATHSIG = 1
_prctl = getattr(ctypes.CDLL(None), "prctl", None)  # Linux only; looked up before any fork


@dataclass
class Child:
    name: str
    command: str
    process: subprocess.Popen | None = None
    relay: threading.Thread | None = None  # copies its output, prefixed, to ours


def read_procfile(path: Path) -> list[Child]:
    """`name: command` lines; the commands are shell lines (they expand $PORT and defaults)."""
    children = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            children.append(Child(name.strip(), command.strip()))
    return children


class Launcher:
    def __init__(self, port: int) -> None:
        self.port = port
        self.children = read_procfile(settings.BASE_DIR / "Procfile")
        self.width = max(len(child.name) for child in self.children)
        self.print_lock = threading.Lock()
        self.stopping = threading.Event()
        self.parent_pid = os.getpid()
        self.last_output = time.monotonic()
        self.ready_dir = Path(settings.VAR_DIR) / "ready"
        self.ready_dir.mkdir(parents=True, exist_ok=True)
        for name in CELERY:
            (self.ready_dir / name).unlink(missing_ok=True)  # marks of a previous run

    def say(self, name: str, line: str) -> None:
        with self.print_lock:
            sys.stdout.write(f"{name:<{self.width}} | {line}\n")
            sys.stdout.flush()
            self.last_output = time.monotonic()

    def _in_own_group(self) -> None:
        """In the child before exec: its own process group, so the terminal's Ctrl-C reaches
        only the launcher; and a SIGTERM should the launcher die without stopping it (Linux)."""
        os.setpgid(0, 0)
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != self.parent_pid:  # the launcher died before prctl
                os._exit(1)

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(  # noqa: S602 - the Procfile's shell lines
                f"exec {child.command}",
                shell=True,
                cwd=settings.BASE_DIR,
                # Unbuffered: what a process prints (beat's banner) shows at once, in order.
                env={
                    **os.environ,
                    "PORT": str(self.port),
                    READY_DIR_VARIABLE: str(self.ready_dir),
                    "PYTHONUNBUFFERED": "1",
                },
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=self._in_own_group,  # noqa: PLW1509 - only os and ctypes calls before exec
            )
        for child in self.children:
            child.relay = threading.Thread(target=self._relay, args=(child.name, child.process.stdout), daemon=True)
            child.relay.start()

    def _relay(self, name: str, stream: IO[bytes]) -> None:
        for raw in stream:
            self.say(name, raw.decode(errors="replace").rstrip("\n"))

    def _announce_when_ready(self) -> None:
        """Once /healthz answers, the worker and beat are up (statusapp.celery marks them) and
        their start-up banners are out (a moment without output): the address comes last."""
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + READY_TIMEOUT
        while not (self._healthy(url + "healthz") and all((self.ready_dir / name).exists() for name in CELERY)):
            if time.monotonic() > deadline:
                self.say("run", f"not ready after {READY_TIMEOUT} s: see the lines above")
                return
            if self.stopping.wait(0.5):
                return
        settle_until = time.monotonic() + SETTLE_MAX
        while time.monotonic() - self.last_output < SETTLE_QUIET and time.monotonic() < settle_until:
            if self.stopping.wait(0.1):
                return
        self.say("run", f"StatusApp is running at {url} (Ctrl-C stops it)")
        if settings.EMAIL_BACKEND == CONSOLE_EMAIL_BACKEND:
            self.say("run", "Outgoing emails are printed here, not sent (set EMAIL_HOST to send them)")

    @staticmethod
    def _healthy(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own address
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def run(self) -> int:
        received: list[int] = []

        def on_signal(signum: int, frame) -> None:
            # Only this: a handler runs between two bytecodes of the main thread, which may
            # hold any lock at that moment (Event.set here could deadlock on Event.wait's).
            received.append(signum)

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        self.start()
        threading.Thread(target=self._announce_when_ready, daemon=True).start()
        exited: Child | None = None
        while not received:
            exited = next((child for child in self.children if child.process.poll() is not None), None)
            if exited is not None:
                self.say("run", f"{exited.name} exited with {exited.process.returncode}; stopping the others")
                break
            time.sleep(0.2)
        if received:
            self.say("run", f"{signal.Signals(received[0]).name} received; stopping (each finishes its work in hand)")
        self.stopping.set()
        code = self.stop(failed=exited is not None)
        if code == 0:
            self.say("run", "stopped")
        return code

    def stop(self, failed: bool) -> int:
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("run", f"{child.name} did not stop within {STOP_TIMEOUT} s; killing it")
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
                failed = True
        for child in self.children:
            child.relay.join(timeout=5)
        unclean = [c.name for c in self.children if c.process.returncode not in (0, -signal.SIGTERM)]
        if unclean and not failed:
            self.say("run", f"{', '.join(unclean)} exited with an error")
        return 1 if failed or unclean else 0


def main() -> int:
    port = int(os.environ.get("PORT") or 8000)
    return Launcher(port).run()


if __name__ == "__main__":
    sys.exit(main())
