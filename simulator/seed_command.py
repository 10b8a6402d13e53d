"""`coinpilot-dashboard seed`: synthetic CoinPilot history written into a database an owner points
it at (refusing one that holds rows unless forced), with a progress bar on stderr."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from data.database import Backend, Database
from simulator.paper_bot import BotConfig
from simulator.seeding import (
    COMPRESS_AFTER,
    compress_chunks_older_than,
    create_schema,
    empty_tables,
    tables_with_rows,
    write_history,
)
from simulator.synthetic import generate_history


class ProgressBar:
    """A text progress bar on stderr (rewritten in place on a terminal, a line per quarter otherwise)."""

    def __init__(self, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self._last: dict[str, int] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self.tty:
            filled = int(fraction * 30)
            self.stream.write(
                f"\r{label:<28} [{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% {done:,}/{total:,}"
            )
            if done >= total:
                self.stream.write("\n")
        else:
            quarter = int(fraction * 4)
            if self._last.get(label) != quarter:
                self._last[label] = quarter
                self.stream.write(f"{label}: {fraction * 100:.0f}% ({done:,}/{total:,})\n")
        self.stream.flush()


def seed(
    writer: Database, *, symbols: list[str], days: float, seed: int, schema: str, compress: bool, force: bool
) -> int:
    try:
        backend = writer.backend
        filled = tables_with_rows(writer.engine)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"error: cannot open {writer.display_url}: {exc}", file=sys.stderr)
        return 1
    if compress and backend is not Backend.TIMESCALEDB:
        print(f"error: --compress needs TimescaleDB; {writer.display_url} is {backend.label}", file=sys.stderr)
        return 2
    if filled and not force:
        print(
            f"refusing to seed {writer.display_url}: {', '.join(filled)} already hold rows "
            "(use --force to delete them first)",
            file=sys.stderr,
        )
        return 1
    if filled:
        empty_tables(writer.engine)
        print(f"--force: deleted the rows of {', '.join(filled)}", file=sys.stderr)
    create_schema(writer.engine, backend, schema)
    progress = ProgressBar()
    started = time.perf_counter()
    history = generate_history(
        symbols,
        days,
        datetime.now(UTC),
        seed=seed,
        # A v3 bot trades by the demo's strategy file (simulator/strategy_v3.yaml: point the dashboard's
        # COINPILOT_STRATEGY_CONFIG at it); a week-6 bot by the bot's code defaults.
        config=BotConfig(limit_counts_buys=schema == "v3", v3=schema == "v3"),
        progress=lambda done, total: progress("simulating the paper bot", done, total),
    )
    generated = time.perf_counter()
    report = write_history(writer.engine, backend, history, progress)
    compressed = ""
    if compress:
        # What production's policy would have done by now, without waiting for its job.
        chunks = compress_chunks_older_than(writer.engine, datetime.now(UTC) - COMPRESS_AFTER)
        compressed = f"; compressed {chunks} chunks older than {COMPRESS_AFTER.days} days"
    finished = time.perf_counter()
    print(
        f"Seeded {writer.display_url} ({backend.label}): {report.candles:,} candles, {report.orders:,} orders, "
        f"{report.audits:,} risk-audit events, {report.decisions:,} AI decisions in {finished - started:.1f} s "
        f"(generate {generated - started:.1f} s, write {finished - generated:.1f} s){compressed}",
        file=sys.stderr,
    )
    return 0
