"""A real HTTP webhook receiver on loopback that records what it is sent, and can refuse or hang:
a number of times, or while a condition holds (an outage on a clock the test moves)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict
    at: float  # time.time() when it arrived


class WebhookReceiver:
    OK = "ok"
    REFUSE = "refuse"  # answers 503
    HANG = "hang"  # holds the request without answering for `hang_s`

    def __init__(self):
        self.received: list[Received] = []
        self.attempts = 0
        self.mode = self.OK
        self.hang_s = 30.0
        self.refuse_status = 503  # what a refusal answers
        self.refuse_first = 0  # answer 503 to this many requests, then as `mode` says
        self.refuse_while: Callable[[], bool] | None = None  # refuse while this says so
        self.refuse_if: Callable[[dict], bool] | None = None  # refuse the bodies it picks
        self.retry_after: str | None = None  # a Retry-After header on refusals
        # Every request as (the test's clock when it came, its body): attempts, refused ones too.
        self.clock: Callable[[], float] = time.time
        self.requests: list[tuple[float, dict]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = json.loads(raw) if raw else {}
                with receiver._lock:
                    receiver.attempts += 1
                    receiver.requests.append((receiver.clock(), body))
                    refuse = (
                        receiver.refuse_first > 0
                        or receiver.mode == receiver.REFUSE
                        or (receiver.refuse_while is not None and receiver.refuse_while())
                        or (receiver.refuse_if is not None and receiver.refuse_if(body))
                    )
                    if receiver.refuse_first > 0:
                        receiver.refuse_first -= 1
                    mode = receiver.mode
                if mode == receiver.HANG:
                    time.sleep(receiver.hang_s)
                    return
                if refuse:
                    self.send_response(receiver.refuse_status)
                    if receiver.retry_after is not None:
                        self.send_header("Retry-After", receiver.retry_after)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.received.append(Received(self.path, dict(self.headers), body, time.time()))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def messages(self, key_prefix: str = "") -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.body.get("key", "").startswith(key_prefix)]

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
