"""Helpers of the SDK's tests: the live server's environment and a loopback webhook receiver."""

from __future__ import annotations

import json
import os
import queue
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import statusapp


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: these tests need a live StatusApp (see sdks/README.md)")
    return value


def unique(prefix: str) -> str:
    """A name no other test (or earlier run against the same server) uses."""
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def client_with(key_variable: str, **options: Any) -> statusapp.Client:
    """A client of the live server with the key in $key_variable."""
    return statusapp.Client(api_key=env(key_variable), base_url=env("STATUSAPP_BASE_URL"), **options)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A loopback HTTP server recording every POST it gets, answering 200."""

    def __init__(self) -> None:
        self.received: queue.Queue[Received] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.put(Received(self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def next(self, timeout: float = 15) -> Received:
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing arrived at {self.url} in {timeout} s") from None

    def next_event(self, event: str, timeout: float = 15) -> Received:
        """The next request carrying this event type (others are skipped)."""
        while True:
            received = self.next(timeout)
            if json.loads(received.body).get("event") == event:
                return received

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
