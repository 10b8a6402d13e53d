"""SQLAlchemy Core tables for the CoinPilot schema (../shared/SCHEMA.md), as the bot creates them.

Only the columns every bot version has are declared; later, optional columns (`regime`,
`exit_reason`, ...) are discovered at run time (see Database.optional_columns) so that the
dashboard works against old and new bots alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

# Money and quantities are numeric(20,8) in the database and float64 above the data layer.
_numeric = sa.Numeric(20, 8, asdecimal=False)
_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

STORED_CANDLE_INTERVAL = "1m"

market_data = sa.Table(
    "market_data",
    metadata,
    # bigserial in CoinPilot; SQLite cannot auto-increment a composite key, so there the
    # identity is ignored and the seeder supplies ids.
    sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
    sa.Column("symbol", sa.String(20), nullable=False),
    sa.Column("interval", sa.String(10), nullable=False),
    sa.Column("open_price", _numeric, nullable=False),
    sa.Column("high_price", _numeric, nullable=False),
    sa.Column("low_price", _numeric, nullable=False),
    sa.Column("close_price", _numeric, nullable=False),
    sa.Column("volume", _numeric, nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("timestamp", "id", name="market_data_pkey"),
    sa.UniqueConstraint("symbol", "interval", "timestamp", name="uq_market_data_symbol_interval_ts"),
)
# The index every market query must use: (symbol, interval, timestamp DESC).
sa.Index(
    "ix_market_data_symbol_interval_ts_desc",
    market_data.c.symbol,
    market_data.c.interval,
    market_data.c.timestamp.desc(),
)

trading_history = sa.Table(
    "trading_history",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("symbol", sa.String(20), nullable=False),
    sa.Column("side", sa.String(10), nullable=False),
    sa.Column("order_type", sa.String(10), nullable=False),
    sa.Column("price", _numeric, nullable=False),
    sa.Column("quantity", _numeric, nullable=False),
    sa.Column("fee", _numeric, nullable=False, server_default=sa.text("0")),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("strategy_name", sa.String(50)),
    sa.Column("signal_info", _json),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("executed_at", sa.DateTime(timezone=True)),
)

positions = sa.Table(
    "positions",
    metadata,
    sa.Column("symbol", sa.String(20), primary_key=True),
    sa.Column("quantity", _numeric, nullable=False),
    sa.Column("avg_price", _numeric, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

account_state = sa.Table(
    "account_state",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("balance", _numeric, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

daily_risk_state = sa.Table(
    "daily_risk_state",
    metadata,
    sa.Column("date", sa.Date(), primary_key=True),
    sa.Column("total_pnl", _numeric, nullable=False, server_default=sa.text("0")),
    sa.Column("trade_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
    sa.Column("consecutive_losses", sa.Integer(), nullable=False, server_default=sa.text("0")),
    sa.Column("cooldown_until", sa.DateTime(timezone=True)),
    sa.Column("is_trading_halted", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)

risk_audit = sa.Table(
    "risk_audit",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("violation_type", sa.String(50), nullable=False),
    sa.Column("description", sa.Text()),
    sa.Column("related_order_id", sa.Uuid(), sa.ForeignKey("trading_history.id")),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
)

agent_decisions = sa.Table(
    "agent_decisions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("symbol", sa.String(20), nullable=False),
    sa.Column("strategy_name", sa.String(50)),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("reasoning", sa.Text()),
    sa.Column("confidence", sa.Integer()),
    sa.Column("model_used", sa.String(100)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

ALL_TABLES = (
    market_data,
    trading_history,
    positions,
    account_state,
    daily_risk_state,
    risk_audit,
    agent_decisions,
)
