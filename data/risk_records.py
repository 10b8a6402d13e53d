"""The bot's risk records: `daily_risk_state` (one row per UTC date) and the `risk_audit` log.

The rules those records are judged by live in data.risk (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data.days import utc_day
from data.market import as_utc
from data.risk import DailyRiskState
from data.schema import SchemaFeatures
from data.tables import daily_risk_state, risk_audit, week6_columns


def _risk_row(row) -> DailyRiskState:
    day = row.date if isinstance(row.date, date) else date.fromisoformat(str(row.date))
    fields = row._mapping
    return DailyRiskState(
        date=day,
        total_pnl=float(row.total_pnl or 0.0),
        trade_count=int(row.trade_count or 0),
        consecutive_losses=int(row.consecutive_losses or 0),
        cooldown_until=as_utc(row.cooldown_until),
        is_trading_halted=bool(row.is_trading_halted),
        updated_at=as_utc(row.updated_at),
        # None when this CoinPilot version does not record the split (before v3.2.1).
        buy_count=int(fields["buy_count"] or 0) if "buy_count" in fields else None,
        sell_count=int(fields["sell_count"] or 0) if "sell_count" in fields else None,
    )


def _risk_select(features: SchemaFeatures | None):
    table = daily_risk_state
    columns = week6_columns(table)
    if features is not None:
        columns += [table.c[name] for name in ("buy_count", "sell_count") if features.has_column(table.name, name)]
    return sa.select(*columns)


def fetch_daily_risk_state(
    conn: Connection, day: date, features: SchemaFeatures | None = None
) -> DailyRiskState | None:
    """Today's row; with `features`, the v3 BUY/SELL split when this database records it."""
    row = conn.execute(_risk_select(features).where(daily_risk_state.c.date == day)).first()
    return _risk_row(row) if row is not None else None


def fetch_daily_risk_history(
    conn: Connection, since: date, features: SchemaFeatures | None = None
) -> list[DailyRiskState]:
    query = _risk_select(features).where(daily_risk_state.c.date >= since).order_by(daily_risk_state.c.date)
    return [_risk_row(row) for row in conn.execute(query).all()]


RISK_AUDIT_COLUMNS = ["id", "timestamp", "violation_type", "description", "related_order_id"]


def fetch_risk_audit(conn: Connection, violation_types: tuple[str, ...] = (), limit: int = 200) -> pd.DataFrame:
    """Risk-audit events, newest first."""
    query = sa.select(
        risk_audit.c.id,
        risk_audit.c.timestamp,
        risk_audit.c.violation_type,
        risk_audit.c.description,
        risk_audit.c.related_order_id,
    )
    if violation_types:
        query = query.where(risk_audit.c.violation_type.in_(violation_types))
    query = query.order_by(risk_audit.c.timestamp.desc(), risk_audit.c.id.desc()).limit(limit)
    frame = pd.DataFrame(conn.execute(query).all(), columns=RISK_AUDIT_COLUMNS)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["related_order_id"] = frame["related_order_id"].map(lambda v: str(v) if v is not None else None)
    return frame


def fetch_risk_audit_types(conn: Connection) -> list[str]:
    query = (
        sa.select(risk_audit.c.violation_type)
        .group_by(risk_audit.c.violation_type)
        .order_by(risk_audit.c.violation_type)
    )
    return [row[0] for row in conn.execute(query)]


def utc_today(now: datetime) -> date:
    """The bot's day: daily_risk_state rows are per UTC date (data.days)."""
    return utc_day(now)


def days_back(now: datetime, days: int) -> date:
    return utc_today(now) - timedelta(days=days - 1)
