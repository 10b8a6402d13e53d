"""TimescaleDB as production runs it: market_data compressed by symbol and interval."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

COMPRESSION_SETTINGS = (
    "ALTER TABLE market_data SET (timescaledb.compress, "
    "timescaledb.compress_segmentby = 'symbol, interval', timescaledb.compress_orderby = 'timestamp DESC')"
)


def compress_chunks_older_than(engine: Engine, before: datetime) -> int:
    """Compress every market_data chunk that ends before `before`; returns how many were."""
    with engine.begin() as conn:
        conn.execute(sa.text(COMPRESSION_SETTINGS))
        chunks = conn.execute(
            sa.text(
                "SELECT compress_chunk(c, if_not_compressed => TRUE) FROM show_chunks('market_data', older_than => :t) c"
            ),
            {"t": before},
        ).all()
    return len(chunks)


def chunk_compression(engine: Engine) -> tuple[int, int]:
    """(compressed, uncompressed) chunk counts of market_data."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT is_compressed, count(*) FROM timescaledb_information.chunks "
                "WHERE hypertable_name = 'market_data' GROUP BY is_compressed"
            )
        ).all()
    counts = {bool(compressed): int(n) for compressed, n in rows}
    return counts.get(True, 0), counts.get(False, 0)
