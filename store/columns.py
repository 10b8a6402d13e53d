"""Column types shared by the tables and the migrations: the same values on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a bigserial.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# A JSON document: jsonb on PostgreSQL, text on SQLite. Python None is SQL NULL.
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


class UtcDateTime(sa.types.TypeDecorator):
    """An aware UTC datetime in, an aware UTC datetime out, on both backends.

    PostgreSQL stores timestamptz. SQLite has no time type: SQLAlchemy writes a fixed-width
    "YYYY-MM-DD HH:MM:SS.ffffff" text, so the value is stored as UTC without an offset and text
    order is time order (range conditions and the indexes work on it). A naive datetime is
    refused: it would be read as UTC whatever zone it meant."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the store takes aware datetimes only, got naive {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
