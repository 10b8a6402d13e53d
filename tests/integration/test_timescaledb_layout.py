"""The TimescaleDB fixture is what production runs: the real extension, compressed older chunks
and uncompressed newer ones, so tests on it exercise both."""

import pytest
import sqlalchemy as sa

from data.database import Backend, Database
from tests.support.timescale import chunk_compression

pytestmark = pytest.mark.postgres


def test_the_seeded_timescaledb_has_compressed_and_uncompressed_chunks(seeded_tsdb_url):
    database = Database(seeded_tsdb_url)
    try:
        assert database.info().backend is Backend.TIMESCALEDB
        compressed, uncompressed = chunk_compression(database.engine)
        assert compressed >= 1 and uncompressed >= 1
        with database.connect() as conn:
            extension = conn.execute(
                sa.text("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
            ).scalar()
        assert extension.startswith("2.")
    finally:
        database.dispose()
