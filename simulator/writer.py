"""A CoinPilot-shaped database opened for writing: what the simulator (seed, the demo's paper bot)
and an owner's command (`rollups create`) write through, and what the tests and the benchmarks
build their data with. The data layer's Database only ever reads; this one differs in its
sessions alone: PostgreSQL transactions are not read-only and have no statement timeout (a seed or
a DDL step may run long), and SQLite runs in WAL, so readers read while it writes."""

from __future__ import annotations

from data.database import Database


class WritableDatabase(Database):
    def __init__(self, url: str | None, *, backend_setting: str = "auto", connect_timeout_s: int = 3):
        super().__init__(
            url, backend_setting=backend_setting, connect_timeout_s=connect_timeout_s, statement_timeout_ms=None
        )

    def _session_options(self) -> list[str]:
        return []

    def _sqlite_session_pragma(self) -> str:
        return "PRAGMA journal_mode=WAL"
