"""50 simulated viewers polling the dashboard's callbacks every 5 s for 2 minutes, against
gunicorn with the production config, on 30 days x 5 symbols of seeded history.

    .venv/bin/python -m bench.load [--viewers 50] [--interval 5] [--seconds 120]

Viewers are spread over the five pages (10 each) and send, each tick, exactly the callback
requests the browser sends on that page: the status strip and the page's panels, the chart
sending back its state so the server answers with a Patch, as it does for a real browser.
Prints the request count, errors, and p50/p95/p99 latency overall and per page.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import percentile, scratch_database
from dashboard.app import create_app
from dashboard.settings import Settings
from data.database import Backend, Database
from layouts import ids
from simulator.seeding import create_schema, write_history
from simulator.synthetic import generate_history
from tests.support.processes import Gunicorn

SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
TICK = f"{ids.REFRESH_INTERVAL}.n_intervals"
# The values the page's controls hold (what a browser would send).
CONTROL_VALUES = {
    (ids.MARKET_SYMBOL, "value"): "KRW-BTC",
    (ids.MARKET_WIDTH, "value"): "15m",
    (ids.MARKET_COUNT, "value"): 200,
    (ids.MARKET_OVERLAYS, "value"): ["bb", "ma20", "fills"],
    (ids.RISK_AUDIT_TYPES, "value"): None,
    (ids.HISTORY_GRID, "getRowsRequest"): {"startRow": 0, "endRow": 50, "sortModel": [], "filterModel": {}},
}
PAGE_OUTPUTS = {
    "overview": [ids.OVERVIEW_KPIS],
    "market": [ids.MARKET_CHART, ids.MARKET_BRAIN, ids.MARKET_STATUS_TABLE],
    "risk": [ids.RISK_STATE, ids.RISK_AUDIT_GRID],
    "history": [ids.HISTORY_SUMMARY, ids.HISTORY_GRID],
    "system": [
        ids.SYSTEM_DATABASE,
        ids.SYSTEM_REDIS,
        ids.SYSTEM_N8N,
        ids.SYSTEM_ACCESS,
        ids.SYSTEM_FRESHNESS,
        ids.SYSTEM_AUDIT,
    ],
}


def callback_bodies(callback_map) -> dict[str, list[tuple[str, dict]]]:
    """Per page, the (output key, request body) pairs one refresh tick sends."""

    def body(key):
        spec = callback_map[key]
        outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]

        def value(item):
            if f"{item['id']}.{item['property']}" == TICK:
                return 1
            return CONTROL_VALUES.get((item["id"], item["property"]))

        inputs = [dict(i, value=value(i)) for i in spec["inputs"]]
        changed = (
            [TICK]
            if any(f"{i['id']}.{i['property']}" == TICK for i in spec["inputs"])
            else [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]
        )
        return {
            "output": key,
            "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs]
            if len(outputs) > 1
            else {"id": outputs[0].component_id, "property": outputs[0].component_property},
            "inputs": inputs,
            "state": [dict(s, value=None) for s in spec["state"]],
            "changedPropIds": changed,
        }

    def key_for(component):
        return next(
            k
            for k in callback_map
            if k == f"{component}.children" or k.startswith(f"..{component}.") or k.startswith(f"{component}.")
        )

    strip = key_for(ids.STATUS_STRIP)
    return {
        page: [(strip, body(strip))] + [(key_for(c), body(key_for(c))) for c in outputs]
        for page, outputs in PAGE_OUTPUTS.items()
    }


class Viewer(threading.Thread):
    def __init__(self, port, page, bodies, interval, stop_at, results, errors):
        super().__init__(daemon=True)
        self.port, self.page, self.bodies, self.interval = port, page, bodies, interval
        self.stop_at, self.results, self.errors = stop_at, results, errors
        self.chart_state = None

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        tick = 0
        next_tick = time.monotonic() + (hash(self.name) % 1000) / 1000 * self.interval  # viewers start spread out
        while time.monotonic() < self.stop_at:
            time.sleep(max(0.0, next_tick - time.monotonic()))
            tick += 1
            for key, body in self.bodies:
                body = json.loads(json.dumps(body))
                for item in body["inputs"]:
                    if f"{item['id']}.{item['property']}" == TICK:
                        item["value"] = tick
                for item in body["state"]:
                    if item["id"] == ids.MARKET_CHART_STATE:
                        item["value"] = self.chart_state
                started = time.perf_counter()
                try:
                    conn.request(
                        "POST", "/_dash-update-component", json.dumps(body), {"Content-Type": "application/json"}
                    )
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors.append(f"{key}: {error}")
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    continue
                self.results.append((self.page, key, (time.perf_counter() - started) * 1000))
                if response.status not in (200, 204):
                    self.errors.append(f"{key}: HTTP {response.status}")
                elif response.status == 200 and key.startswith(f"..{ids.MARKET_CHART}."):
                    state = json.loads(payload)["response"].get(ids.MARKET_CHART_STATE, {}).get("data")
                    if isinstance(state, dict):
                        self.chart_state = state
            next_tick += self.interval


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--workers", type=int, default=5, help="gunicorn workers (the config's default here: 2 x cores + 1)"
    )
    parser.add_argument(
        "--all-pages",
        action="store_true",
        help="every viewer polls every page's callbacks (instead of one page per viewer)",
    )
    args = parser.parse_args()
    with scratch_database("cp_bench_load") as url, tempfile.TemporaryDirectory() as logs:
        writer = Database(url, read_only=False, statement_timeout_ms=None)
        create_schema(writer.engine, Backend.POSTGRESQL)
        write_history(writer.engine, Backend.POSTGRESQL, generate_history(SYMBOLS, 30, datetime.now(UTC)))
        writer.dispose()
        bodies = callback_bodies(create_app(Settings(database_url=url, n8n_url=None)).callback_map)
        environment = {"DATABASE_URL": url, "N8N_URL": "", "GUNICORN_ACCESS_LOG": "/dev/null"}
        with Gunicorn(environment, Path(logs), workers=args.workers).start() as gunicorn:
            results: list = []
            errors: list = []
            pages = list(bodies)
            if args.all_pages:
                everything = bodies[pages[0]][:1] + [pair for page in pages for pair in bodies[page][1:]]
                bodies = {"all": everything}
                pages = ["all"]
            stop_at = time.monotonic() + args.seconds
            viewers = [
                Viewer(
                    gunicorn.port,
                    pages[i % len(pages)],
                    bodies[pages[i % len(pages)]],
                    args.interval,
                    stop_at,
                    results,
                    errors,
                )
                for i in range(args.viewers)
            ]
            for viewer in viewers:
                viewer.start()
            for viewer in viewers:
                viewer.join()
            log = gunicorn.error_log.read_text()
    latencies = [ms for _, _, ms in results]
    print(
        f"{args.viewers} viewers x every {args.interval:g} s x {args.seconds:g} s: {len(results):,} callback requests, "
        f"{len(errors)} errors, worker timeouts: {log.count('WORKER TIMEOUT')}"
    )
    print(
        f"latency p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms"
    )
    by_page = collections.defaultdict(list)
    for page, _, ms in results:
        by_page[page].append(ms)
    for page, values in by_page.items():
        print(
            f"  {page:<9} p50 {percentile(values, 0.5):5.0f} ms  p95 {percentile(values, 0.95):5.0f} ms  ({len(values)} requests)"
        )
    for error in errors[:10]:
        print("  error:", error)


if __name__ == "__main__":
    main()
