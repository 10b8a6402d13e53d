"""Pruning in bounded batches: each batch its own short transaction, a bounded number per call,
so a large backlog never holds the write lock long enough to stall a page or the watcher."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

DEFAULT_BATCH_SIZE = 500
DEFAULT_MAX_BATCHES = 20


@dataclass(frozen=True)
class PruneReport:
    deleted: int
    complete: bool  # False: the call stopped at max_batches; there may be more to prune next time


def prune_in_batches(
    store, table: sa.Table, condition, order_column, *, batch_size: int, max_batches: int
) -> PruneReport:
    """Delete the rows of `table` matching `condition`, oldest (`order_column`) first, at most
    `batch_size` per transaction and `max_batches` transactions per call."""
    if not 1 <= batch_size <= 10_000 or not 1 <= max_batches <= 10_000:
        raise ValueError("batch_size and max_batches must be between 1 and 10,000")
    key = sa.tuple_(*table.primary_key.columns)
    deleted = 0
    for _ in range(max_batches):
        batch = sa.select(*table.primary_key.columns).where(condition).order_by(order_column).limit(batch_size)
        with store.write() as conn:
            count = conn.execute(sa.delete(table).where(key.in_(batch))).rowcount
        deleted += count
        if count < batch_size:
            return PruneReport(deleted, True)
    return PruneReport(deleted, False)
