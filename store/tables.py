"""The store's tables as the code reads and writes them (SQLAlchemy Core), at the newest schema
version. The migrations in store/migrations create them; tests check the two agree."""

from __future__ import annotations

import sqlalchemy as sa

from store.columns import Id, Json, UtcDateTime

metadata = sa.MetaData()

# One row per applied migration step; the store's version is the highest.
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("summary", sa.String(200), nullable=False),
    sa.Column("applied_at", UtcDateTime(), nullable=False),
)

# One row per hit (a failed login, say) of a named counter's key; a count is the hits since a
# time, so a sliding window is exact and its oldest hit says when the count drops.
counter_hits = sa.Table(
    "counter_hits",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("counter", sa.String(64), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Index("ix_counter_hits_counter_key_at", "counter", "key", "at"),
    sa.Index("ix_counter_hits_at", "at"),
)

# Small JSON values with an expiry, per namespace: bookkeeping that several processes share.
expiring_values = sa.Table(
    "expiring_values",
    metadata,
    sa.Column("namespace", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", Json),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_expiring_values_expires_at", "expires_at"),
)

# What happened, appended and never updated: who (actor), through what (channel), when, what.
event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(200)),
    sa.Column("channel", sa.String(64)),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("payload", Json),
    sa.Index("ix_event_log_kind_at", "kind", "at"),
    sa.Index("ix_event_log_at", "at"),
)
