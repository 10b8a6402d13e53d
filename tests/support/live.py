"""A dashboard served on a free port in a background thread, and a browser page that records
every console error and failed request, for the browser tests."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from tests.support.services import free_port

ARTIFACTS = Path(os.environ.get("COINPILOT_ARTIFACTS", "artifacts"))


class LiveServer:
    """Werkzeug's threaded server around a WSGI app, like the development server."""

    def __init__(self, wsgi_app, host: str = "127.0.0.1"):
        self.port = free_port()
        self.host = host
        self._server = make_server(host, self.port, wsgi_app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._thread.join(timeout=10)


class WatchedPage:
    """A Playwright page plus what went wrong on it: console errors, page errors, failed or
    non-2xx/3xx requests. Tests assert these lists are empty."""

    def __init__(self, context, name: str):
        self.page = context.new_page()
        self.name = name
        self.problems: list[str] = []
        self.callback_responses: list[tuple[str, bytes]] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _request_failed(self, request):
        failure = request.failure or ""
        # Navigating away aborts in-flight polls; that is the browser's doing, not a failure.
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed: {request.url} {failure}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")
        # Nothing may come from anywhere but the dashboard: the operators' network may be closed.
        if not response.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            self.problems.append(f"request outside the dashboard: {response.url}")

    def screenshot(self, label: str) -> Path:
        directory = ARTIFACTS / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def wait_for_text(self, selector: str, predicate, timeout: float = 15.0) -> str:
        """Poll the text of `selector` until predicate(text) holds; returns the text."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            locator = self.page.locator(selector)
            if locator.count():
                text = locator.first.inner_text()
                if predicate(text):
                    return text
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{selector}: text {text!r} never satisfied the condition")
