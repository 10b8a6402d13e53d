"""Whether the bot's orders may have changed since the last look, answered without reading
`trading_history`: the key of the realized-PnL ledger cache (DataServices).

PostgreSQL and TimescaleDB: the table's write counters in `pg_stat_user_tables` (rows inserted,
updated, deleted; HOT updates are counted in n_tup_upd). Any INSERT, UPDATE or DELETE moves
them; reading them is a catalogue lookup, whatever the table's size. A writing session reports
its counters when it goes idle, at most once a second, so a change shows within about a second
(up to a minute on a very busy server, which LEDGER_MAX_AGE_S covers).

SQLite: `PRAGMA data_version`, which changes on a connection whenever another connection has
committed a write to the file. It is per connection, so each pooled connection remembers the
value it last saw and a change seen on any of them starts a new generation. It moves on any
write to the file (candles too): the demo recomputes its small ledger then.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Hashable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.database import Backend

# The ledger is recomputed at least this often whatever the counters say: statistics can be
# reset, turned off (track_counts) or reported up to a minute late by a busy writer.
LEDGER_MAX_AGE_S = 60.0

_PG_WRITE_COUNTERS = sa.text(
    "SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relid = to_regclass('trading_history')"
)

_SEEN_KEY = "coinpilot_data_version"


class OrderChangeWatch:
    """One per process: `marker(conn)` returns a value that differs whenever orders may have changed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._generations = itertools.count(1)
        self._generation = 0

    def marker(self, conn: Connection, backend: Backend) -> Hashable:
        if backend is Backend.SQLITE:
            return self._sqlite_generation(conn)
        row = conn.execute(_PG_WRITE_COUNTERS).first()
        # No statistics row (table not visible to the statistics views): no cheap answer, so
        # every look counts as a change and the ledger follows the table exactly.
        return tuple(row) if row is not None else ("no statistics", next(self._generations))

    def _sqlite_generation(self, conn: Connection) -> int:
        version = conn.exec_driver_sql("PRAGMA data_version").scalar()
        seen = conn.connection.info
        with self._lock:
            # A connection not seen before has no earlier value to compare with: count it as a change.
            if seen.get(_SEEN_KEY) != version:
                seen[_SEEN_KEY] = version
                self._generation = next(self._generations)
            return self._generation
