"""A real HTTP server on 127.0.0.1 whose answer a test can change between checks."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Target:
    def __init__(self) -> None:
        self.status = 200
        self.hits = 0
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                target.hits += 1
                body = b"ok" if target.status < 400 else b"failing"
                self.send_response(target.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/health"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
