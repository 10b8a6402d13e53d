"""Which CoinPilot migration a deployment has reached: the optional (v3) columns and tables that
exist, read from the database's own catalogue.

A deployment may be at any step between week-6 and v3 (SCHEMA.md), so nothing optional is
assumed: panels ask SchemaFeatures and say "not recorded by this CoinPilot version" when a
column or table is absent. The answer is re-read every few minutes and right after a query
fails on a missing table or column, so a bot upgrade shows without restarting the dashboard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.tables import V3_TABLES, WEEK6_TABLES, v3_columns

# What later bot versions added (SCHEMA.md, "CoinPilot v3"), from the tables' declarations.
OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = {t.name: v3_columns(t) for t in WEEK6_TABLES if v3_columns(t)}
OPTIONAL_TABLES = tuple(t.name for t in V3_TABLES)
REDETECT_AFTER_S = 300.0


@dataclass(frozen=True)
class SchemaFeatures:
    """The optional columns (per table) and tables this database has."""

    columns: Mapping[str, frozenset[str]]
    tables: frozenset[str]

    def has_column(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, frozenset())

    def has_table(self, table: str) -> bool:
        return table in self.tables

    @property
    def generation(self) -> str:
        """'v3' when every v3 column and table is there, 'week-6' when none is, else 'partly v3'."""
        present = sum(len(c) for c in self.columns.values()) + len(self.tables)
        total = sum(len(c) for c in OPTIONAL_COLUMNS.values()) + len(OPTIONAL_TABLES)
        return "v3" if present == total else "week-6" if present == 0 else "partly v3"


def detect_schema(conn: Connection) -> SchemaFeatures:
    inspector = sa.inspect(conn)
    existing = set(inspector.get_table_names())
    columns = {}
    for table, optional in OPTIONAL_COLUMNS.items():
        if table in existing:
            names = {column["name"] for column in inspector.get_columns(table)}
            columns[table] = frozenset(name for name in optional if name in names)
    return SchemaFeatures(columns, frozenset(t for t in OPTIONAL_TABLES if t in existing))


class SchemaWatch:
    """SchemaFeatures detected on first use and again after REDETECT_AFTER_S or invalidate()."""

    def __init__(self, redetect_after_s: float = REDETECT_AFTER_S, clock: Callable[[], float] = time.monotonic):
        self.redetect_after_s = redetect_after_s
        self.clock = clock
        self._detected: tuple[float, SchemaFeatures] | None = None
        self._lock = threading.Lock()

    def features(self, conn: Connection) -> SchemaFeatures:
        detected = self._detected
        if detected is not None and self.clock() - detected[0] < self.redetect_after_s:
            return detected[1]
        features = detect_schema(conn)
        with self._lock:
            self._detected = (self.clock(), features)
        return features

    def invalidate(self) -> None:
        """Forget the last detection (a query just failed on a missing table or column)."""
        with self._lock:
            self._detected = None
