"""Simulated viewers replaying what a real browser sends on each refresh tick, against gunicorn
with the production config, on 30 days x 5 symbols of seeded history: by default on TimescaleDB laid
out as production (chunks older than 7 days compressed) with `rollups create` run, or
`--backend postgresql` / `--rollups none`.

    .venv/bin/python -m bench.load --viewers 100 --seconds 120 --pages market,overview

1. Capture: headless Chromium (Playwright, logged in with HTTP basic auth) opens each page and
   records the POST bodies to /_dash-update-component from one refresh tick (the tick's own
   callbacks and whatever they chain). Nothing about a request is hand-built.
2. Replay: viewers are spread evenly over the pages, and the Market viewers over the five
   symbols. On every tick a viewer fires all its page's callbacks at once, as a browser does
   (up to 6 connections per viewer, keep-alive, basic auth on every request), with the tick
   counter advanced and the page's stores sending back what the server last put there (the
   chart's state, so Market refreshes are Patches; the shown version, so Overview answers
   no_update until its data changes); a viewer's first tick has none, like a page that just loaded.
   Ticks are scheduled on the clock, not after the previous answer, so a slow server does not
   slow the load down; latency is counted from the tick to the answer.
3. Meanwhile a writer inserts a 1-minute candle per symbol at each minute boundary, as the
   collector does.

Every request is counted: an HTTP error, a timeout (30 s) or a broken connection is an error
and its time is in the percentiles; a request re-sent because a kept-alive connection was
closed under it (browsers retry those too) is a retry, timed from the first attempt.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import json
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import sqlalchemy as sa

from bench.common import percentile, scratch_database
from data.database import Backend
from data.tables import market_data
from layouts import ids
from simulator.seeding import compress_chunks_older_than, create_schema, insert_candles, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.processes import Gunicorn
from tests.support.services import CHROMIUM, CHROMIUM_FLAGS

SYMBOLS = ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
PAGE_PATHS = {
    "overview": "/",
    "market": f"/market?symbol={SYMBOLS[0]}",
    "risk": "/risk",
    "history": "/history",
    "system": "/system",
}
TICK = f"{ids.REFRESH_INTERVAL}.n_intervals"
CALLBACK_PATH = "/_dash-update-component"
REFRESH_S = 5
REQUEST_TIMEOUT_S = 30.0
CONNECTIONS_PER_VIEWER = 6  # what Chromium opens per host over HTTP/1.1
USERNAME = "bench"
ECHOED_STORES = (ids.MARKET_CHART_STATE, ids.OVERVIEW_VERSION)
_TARGET = "__target"  # where a captured body keeps the URL it was posted to (not sent)


# -- capture --------------------------------------------------------------------------------


def capture_refresh_bodies(base_url: str, password: str, pages: list[str]) -> dict[str, list[dict]]:
    """Per page, the callback request bodies Chromium sends on one refresh tick."""
    from playwright.sync_api import sync_playwright

    captured: dict[str, list[dict]] = {}
    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(http_credentials={"username": USERNAME, "password": password})
        page = context.new_page()
        recorded: list[tuple[float, dict]] = []

        def on_request(request):
            url = urlsplit(request.url)
            if request.method == "POST" and url.path == CALLBACK_PATH:
                # The body, and the path with its query (the renderer adds a signed endId).
                body = json.loads(request.post_data)
                body[_TARGET] = url.path + (f"?{url.query}" if url.query else "")
                recorded.append((time.monotonic(), body))

        page.on("request", on_request)
        for name in pages:
            page.goto(base_url + PAGE_PATHS[name])
            page.wait_for_load_state("networkidle")
            recorded.clear()
            deadline = time.monotonic() + 3 * REFRESH_S
            while time.monotonic() < deadline and not any(
                TICK in body.get("changedPropIds", []) for _, body in recorded
            ):
                page.wait_for_timeout(100)
            first = next((at for at, body in recorded if TICK in body.get("changedPropIds", [])), None)
            if first is None:
                raise SystemExit(f"{name}: no refresh tick within {3 * REFRESH_S} s")
            # The tick's callbacks and what they chain (History's grid reload) arrive within a second.
            page.wait_for_timeout(1500)
            captured[name] = [body for at, body in recorded if first <= at < first + 1.5]
        browser.close()
    return captured


# -- replay ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    page: str
    output: str
    ms: float
    status: str  # "ok", "HTTP 500", "timeout", "connection: ..."
    retried: bool
    unchanged: bool = False  # nothing changed since the last answer: no output was sent
    sent_at: float = 0.0  # time.time() when the tick sent it (for the timeline)


class Connections:
    """One viewer's keep-alive connections to the server (at most CONNECTIONS_PER_VIEWER)."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(CONNECTIONS_PER_VIEWER)

    async def post(self, data: bytes) -> tuple[int, bytes, bool]:
        """(status, body, retried). A kept-alive connection the server closed before answering
        is retried once on a new connection, as browsers do."""
        async with self.slots:
            reused = bool(self.idle)
            reader, writer = self.idle.pop() if reused else await asyncio.open_connection("127.0.0.1", self.port)
            try:
                status, body, keep = await _exchange(reader, writer, data)
                retried = False
            except (ConnectionError, asyncio.IncompleteReadError, _NoAnswer):
                writer.close()
                if not reused:
                    raise
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                status, body, keep = await _exchange(reader, writer, data)
                retried = True
            except BaseException:
                writer.close()
                raise
            if keep:
                self.idle.append((reader, writer))
            else:
                writer.close()
            return status, body, retried

    def close(self):
        for _reader, writer in self.idle:
            writer.close()


class _NoAnswer(ConnectionError):
    pass


async def _exchange(reader, writer, data: bytes) -> tuple[int, bytes, bool]:
    writer.write(data)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise _NoAnswer("connection closed before an answer")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body, headers.get("connection", "").lower() != "close"


class Viewer:
    """One browser tab on one page: its callbacks, its tick counter and its chart state."""

    def __init__(self, page: str, bodies: list[dict], symbol: str, port: int, authorization: str):
        self.page = page
        self.bodies = [_for_symbol(body, symbol) for body in bodies]
        self.connections = Connections(port)
        self.authorization = authorization
        self.n_intervals = 0
        # What the server last put in the page's stores that callbacks send back as State (the
        # chart's state on Market, the shown version on Overview); a page that just loaded has none.
        self.stores: dict[str, object] = dict.fromkeys(ECHOED_STORES)

    def _request(self, body: dict) -> bytes:
        body = copy.deepcopy(body)
        target = body.pop(_TARGET)
        for item in body["inputs"]:
            if f"{item['id']}.{item['property']}" == TICK:
                item["value"] = self.n_intervals
        for item in body.get("state", []):
            if item["id"] in self.stores:
                item["value"] = self.stores[item["id"]]
        payload = json.dumps(body).encode()
        head = (
            f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.connections.port}\r\n"
            f"Authorization: {self.authorization}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        return head.encode() + payload

    async def tick(self, outcomes: list[Outcome]) -> None:
        self.n_intervals += 1
        await asyncio.gather(*(self._send(body, outcomes) for body in self.bodies))

    async def _send(self, body: dict, outcomes: list[Outcome]) -> None:
        started = time.perf_counter()
        sent_at = time.time()
        retried = False
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                status, payload, retried = await self.connections.post(self._request(body))
            result = "ok" if status in (200, 204) else f"HTTP {status}"
        except TimeoutError:
            result = "timeout"
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            result = f"connection: {type(error).__name__}"
        ms = (time.perf_counter() - started) * 1000
        response = json.loads(payload).get("response", {}) if result == "ok" and status == 200 else {}
        # Nothing changed: Dash answers 204 (PreventUpdate) or, when every output is no_update, 200 with {}.
        unchanged = result == "ok" and (status == 204 or not response)
        outcomes.append(Outcome(self.page, body["output"], ms, result, retried, unchanged, sent_at))
        for store in self.stores:
            if store in body["output"] and store in response:
                self.stores[store] = response[store]["data"]


def _for_symbol(body: dict, symbol: str) -> dict:
    body = copy.deepcopy(body)
    for item in body["inputs"] + body.get("state", []):
        if item["id"] == ids.MARKET_SYMBOL and item["property"] == "value":
            item["value"] = symbol
    return body


async def replay(viewers: list[Viewer], interval: float, seconds: float, ramp: float = 0.0) -> list[Outcome]:
    """Every viewer ticks every `interval` s for `seconds`. The viewers open their pages spread
    over `ramp` s (0: all within the first interval, as after a server restart with every tab
    open), each at its own offset within the interval."""
    outcomes: list[Outcome] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    stop_at = started + seconds
    pending: set[asyncio.Task] = set()

    async def run(index: int, viewer: Viewer):
        offset = interval * index / len(viewers)
        next_tick = started + offset + (ramp * index / len(viewers) // interval) * interval
        while next_tick < stop_at:
            await asyncio.sleep(max(0.0, next_tick - loop.time()))
            # The browser's interval fires whether or not the last tick's answers are in.
            task = asyncio.create_task(viewer.tick(outcomes))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_tick += interval

    await asyncio.gather(*(run(i, v) for i, v in enumerate(viewers)))
    while pending:
        await asyncio.gather(*list(pending))
    for viewer in viewers:
        viewer.connections.close()
    return outcomes


# -- the collector --------------------------------------------------------------------------


class CandleWriter(threading.Thread):
    """Inserts each symbol's 1-minute candle when its minute closes, as the collector does."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.database = WritableDatabase(url)
        self.stop = threading.Event()
        self.inserted = 0
        self.random = random.Random(5)

    def run(self):
        while not self.stop.is_set():
            now = datetime.now(UTC)
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            if self.stop.wait((next_minute - now).total_seconds()):
                break
            closed_minute = next_minute - timedelta(minutes=1)
            with self.database.engine.begin() as conn:
                for symbol in SYMBOLS:
                    last_close = conn.execute(
                        sa.select(market_data.c.close_price)
                        .where(market_data.c.symbol == symbol)
                        .order_by(market_data.c.timestamp.desc())
                        .limit(1)
                    ).scalar()
                    close = float(last_close) * (1 + self.random.gauss(0, 0.001))
                    frame = pd.DataFrame(
                        {
                            "timestamp": [pd.Timestamp(closed_minute)],
                            "open": [float(last_close)],
                            "high": [max(close, float(last_close)) * 1.0005],
                            "low": [min(close, float(last_close)) * 0.9995],
                            "close": [close],
                            "volume": [self.random.uniform(0.5, 5.0)],
                        }
                    )
                    insert_candles(conn, symbol, frame)
                    self.inserted += 1

    def close(self):
        self.stop.set()
        self.join(timeout=10)
        self.database.dispose()


# -- report ---------------------------------------------------------------------------------


def timeline(outcomes: list[Outcome], window_s: float = 10.0) -> str:
    """p95 per window of send time, with the minute boundaries (when the collector writes a
    candle and every chart and Overview has something new) marked: where the slow answers are."""
    if not outcomes:
        return ""
    start = min(o.sent_at for o in outcomes)
    windows: dict[int, list[float]] = defaultdict(list)
    for outcome in outcomes:
        windows[int((outcome.sent_at - start) // window_s)].append(outcome.ms)
    cells = []
    for index in sorted(windows):
        begin = start + index * window_s
        crosses = int(begin // 60) != int((begin + window_s) // 60)
        cells.append(f"{index * window_s:>4.0f}s{'*' if crosses else ' '} {percentile(windows[index], 0.95):>6.0f}")
    lines = [f"p95 ms by {window_s:g} s window of send time (* = a minute boundary, new candles):"]
    lines += ["  " + "   ".join(cells[i : i + 6]) for i in range(0, len(cells), 6)]
    return "\n".join(lines)


def report(outcomes: list[Outcome], pages: list[str]) -> str:
    rows = [(page, [o for o in outcomes if o.page == page]) for page in pages] + [("all", outcomes)]
    lines = [
        f"{'page':<10}{'requests':>9}{'unchanged':>10}{'errors':>8}{'timeouts':>9}{'retries':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"
    ]
    for name, items in rows:
        times = [o.ms for o in items]
        lines.append(
            f"{name:<10}{len(items):>9,}{sum(o.unchanged for o in items):>10,}{sum(o.status != 'ok' for o in items):>8}"
            f"{sum(o.status == 'timeout' for o in items):>9}{sum(o.retried for o in items):>8}"
            f"{percentile(times, 0.5):>8.0f}{percentile(times, 0.95):>8.0f}"
            f"{percentile(times, 0.99):>8.0f}{max(times, default=float('nan')):>8.0f}"
        )
    return "\n".join(lines)


def prepare_database(url: str, backend: Backend, days: float, rollups: bool) -> str:
    """Seed the history; on TimescaleDB compress what is older than 7 days, as the production
    policy would have, and run `rollups create` unless told not to. Returns a one-line layout."""
    now = datetime.now(UTC)
    writer = WritableDatabase(url)
    # The background policy would race the explicit compression below (and fails on this build).
    create_schema(writer.engine, backend, compression_policy=False)
    write_history(writer.engine, backend, generate_history(SYMBOLS, days, now))
    layout = f"{backend.label}, {days:g} days x {len(SYMBOLS)} symbols"
    if backend is Backend.TIMESCALEDB:
        compressed = compress_chunks_older_than(writer.engine, now - timedelta(days=7))
        layout += f", {compressed} chunks compressed"
        if rollups:
            command = [sys.executable, "-m", "dashboard.cli", "rollups", "create", "--database-url", url]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            layout += ", rollups created"
        else:
            layout += ", no rollups"
    with writer.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    writer.dispose()
    return layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--pages", default="market,overview", help=f"comma-separated, of {','.join(PAGE_PATHS)}")
    parser.add_argument("--interval", type=float, default=REFRESH_S, help="refresh interval in seconds")
    parser.add_argument("--days", type=float, default=30, help="days of seeded history (5 symbols)")
    parser.add_argument(
        "--ramp", type=float, default=0.0, help="seconds over which the viewers open their pages (default 0: at once)"
    )
    parser.add_argument("--backend", choices=["timescaledb", "postgresql"], default="timescaledb")
    parser.add_argument("--rollups", choices=["create", "none"], default="create", help="TimescaleDB only")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: deploy/gunicorn.conf.py's)")
    parser.add_argument(
        "--data-cache-seconds", help="DASHBOARD_DATA_CACHE_SECONDS for the server (0 = off; default: the app's)"
    )
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if p not in PAGE_PATHS]
    if unknown or not pages:
        parser.error(f"--pages: unknown {', '.join(unknown) or 'none given'}; choose from {', '.join(PAGE_PATHS)}")

    password = secrets.token_urlsafe(12)
    authorization = "Basic " + base64.b64encode(f"{USERNAME}:{password}".encode()).decode()
    backend = Backend(args.backend)
    with scratch_database("cp_bench_load", backend=backend) as url, tempfile.TemporaryDirectory() as logs:
        layout = prepare_database(url, backend, args.days, rollups=args.rollups == "create")
        environment = {
            "DATABASE_URL": url,
            "N8N_URL": "",
            "GUNICORN_ACCESS_LOG": "/dev/null",
            "DASHBOARD_USERNAME": USERNAME,
            "DASHBOARD_PASSWORD": password,
            "DASHBOARD_REFRESH_SECONDS": str(REFRESH_S),
        }
        if args.data_cache_seconds is not None:
            environment["DASHBOARD_DATA_CACHE_SECONDS"] = args.data_cache_seconds
        gunicorn = Gunicorn(environment, Path(logs))
        if args.workers:
            gunicorn.environment["GUNICORN_WORKERS"] = str(args.workers)
        else:
            del gunicorn.environment["GUNICORN_WORKERS"]
        # A benchmark on a busy box: booting the workers may take longer than a test allows.
        with gunicorn.start(timeout=300):
            captured = capture_refresh_bodies(gunicorn.url, password, pages)
            for page in pages:
                print(f"{page}: a tick sends {', '.join(sorted(b['output'] for b in captured[page]))}")
            viewers = []
            for i in range(args.viewers):
                page = pages[i % len(pages)]
                symbol = SYMBOLS[(i // len(pages)) % len(SYMBOLS)]
                viewers.append(Viewer(page, captured[page], symbol, gunicorn.port, authorization))
            candles = CandleWriter(url)
            candles.start()
            try:
                outcomes = asyncio.run(replay(viewers, args.interval, args.seconds, args.ramp))
            finally:
                candles.close()
            log = gunicorn.error_log.read_text()
    by_page = defaultdict(int)
    for viewer in viewers:
        by_page[viewer.page] += 1
    print(
        f"{layout}; {args.viewers} viewers ({', '.join(f'{n} on {p}' for p, n in by_page.items())}), a tick every "
        f"{args.interval:g} s for {args.seconds:g} s, opened over {args.ramp:g} s, basic auth, {candles.inserted} candles inserted during the run, "
        f"server data cache: {args.data_cache_seconds if args.data_cache_seconds is not None else 'default'}, "
        f"worker timeouts: {log.count('WORKER TIMEOUT')}"
    )
    print(report(outcomes, pages))
    print(timeline(outcomes))
    failures = defaultdict(int)
    for outcome in outcomes:
        if outcome.status != "ok":
            failures[(outcome.output, outcome.status)] += 1
    for (output, status), count in sorted(failures.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {output}: {status}")


if __name__ == "__main__":
    main()
