"""A real webhook receiver on 127.0.0.1: it keeps every request and answers as scripted."""

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    hold: threading.Event | None = None  # when given, not answered before it is set (10 s at most)


@dataclass
class Received:
    headers: dict
    body: bytes
    at: float


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A sender that gave up on a slow answer closes the connection: expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """`answers` are used in turn for the first requests; `default` after that."""

    def __init__(self, *answers: Answer, default: Answer | None = None) -> None:
        self.answers = list(answers)
        self.default = default or Answer()
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.in_flight = 0  # requests received and not yet being answered
        self.max_in_flight = 0  # the most ever in flight at once
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(Received(dict(self.headers), body, time.time()))
                    answer = receiver.answers.pop(0) if receiver.answers else receiver.default
                    receiver.in_flight += 1
                    receiver.max_in_flight = max(receiver.max_in_flight, receiver.in_flight)
                try:
                    if answer.delay:
                        time.sleep(answer.delay)
                    if answer.hold is not None:
                        answer.hold.wait(10)
                finally:
                    # Before the answer goes out: the sender cannot see it, so cannot send more, until then.
                    with receiver.lock:
                        receiver.in_flight -= 1
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        # A short poll interval: close() waits for it.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The requests once at least `count` have arrived (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} requests expected, {len(self.requests)} arrived in {timeout} s")
            time.sleep(0.01)

    def close(self) -> None:
        for answer in (*self.answers, self.default):
            if answer.hold is not None:
                answer.hold.set()
        self.server.shutdown()
        self.server.server_close()
