"""What the first load of a page downloads: every response's decoded and on-the-wire bytes, as
Chromium received them, for the page-weight test and bench/page_weight.py."""

from __future__ import annotations

from dataclasses import dataclass, field

# The pages an operator opens first, and what marks each as drawn (its main data is there).
PAGES = {
    "/": "[data-kpi='total-assets']",
    "/market": "#market-chart .main-svg",
    "/risk": "[data-trading-state]",
    "/history": "[data-history-count]",
    "/exits": "h1.page-title",
    "/system": "[data-health='database']",
    "/ai": "h1.page-title",
}


@dataclass
class PageWeight:
    path: str
    decoded: int = 0
    wire: int = 0
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (path, decoded, wire)

    def largest(self, count: int = 5) -> list[tuple[str, int, int]]:
        return sorted(self.files, key=lambda item: item[1], reverse=True)[:count]


def first_load(browser, base_url: str, path: str, ready_selector: str) -> PageWeight:
    """Open `path` in a fresh browser context (empty cache, as a first visit) and add up what
    came down until the page is drawn and the network is quiet."""
    # The shipped nginx config serves TLS; the tests give it a self-signed certificate.
    context = browser.new_context(viewport={"width": 390, "height": 844}, ignore_https_errors=True)
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    weight = PageWeight(path)
    try:
        page.goto(base_url + path)
        page.wait_for_selector(ready_selector, timeout=30_000)
        page.wait_for_load_state("networkidle")
        for request in list(responses):
            response = request.response()
            if response is None:
                continue
            try:
                decoded = len(response.body())
            except Exception:  # noqa: BLE001 - a redirect or an aborted poll has no body
                decoded = 0
            # Encoded body plus headers: what crossed the network (Chromium's own count).
            sizes = request.sizes()
            wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            weight.decoded += decoded
            weight.wire += wire
            weight.files.append((request.url.removeprefix(base_url), decoded, wire))
    finally:
        context.close()
    return weight
