"""Inspecting TimescaleDB's layout of market_data in tests (compression itself is the seed's:
simulator.seeding.compress_chunks_older_than)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


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
