"""SQLAlchemy Core tables for the CoinPilot schema (../shared/SCHEMA.md), as the bot creates them.

Every column and table is declared once. What later bot versions added (the v3 migrations)
carries `info={"since": "v3"}`: a deployment may not have it, so queries name columns one by
one and include an optional one only when data.schema detected it; never `select(table)`.
The simulator builds either generation from these declarations (week-6 = without them).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

# Money and quantities are numeric(20,8) in the database and float64 above the data layer.
_numeric = sa.Numeric(20, 8, asdecimal=False)
_json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

STORED_CANDLE_INTERVAL = "1m"
V3 = {"since": "v3"}  # marks what the v3 migrations added

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
    sa.Column("regime", sa.String(10), info=V3),
    sa.Column("high_water_mark", _numeric, info=V3),
    sa.Column("exit_reason", sa.String(30), info=V3),
    sa.Column("post_exit_prices", _json, info=V3),
)

positions = sa.Table(
    "positions",
    metadata,
    sa.Column("symbol", sa.String(20), primary_key=True),
    sa.Column("quantity", _numeric, nullable=False),
    sa.Column("avg_price", _numeric, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("regime", sa.String(10), info=V3),
    sa.Column("high_water_mark", _numeric, info=V3),
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
    # Since v3.2.1 the daily trade limit counts BUYs; trade_count is kept beside them.
    sa.Column("buy_count", sa.Integer(), nullable=False, server_default=sa.text("0"), info=V3),
    sa.Column("sell_count", sa.Integer(), nullable=False, server_default=sa.text("0"), info=V3),
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
    sa.Column("price_at_decision", _numeric, info=V3),
    sa.Column("regime", sa.String(10), info=V3),
)

# -- tables the v3 migrations added ---------------------------------------------------------

regime_history = sa.Table(
    "regime_history",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("regime", sa.String(10), nullable=False),
    sa.Column("ma50", _numeric),
    sa.Column("ma200", _numeric),
    sa.Column("diff_pct", _numeric),
    sa.Column("coin_symbol", sa.String(10), nullable=False),  # the base coin only: BTC
    info=V3,
)

llm_usage_events = sa.Table(
    "llm_usage_events",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("request_id", sa.String(64), unique=True),
    sa.Column("route", sa.String(50)),
    sa.Column("feature", sa.String(50)),
    sa.Column("provider", sa.String(30)),
    sa.Column("model", sa.String(100)),
    sa.Column("status", sa.String(20)),  # success, error, estimated
    sa.Column("error_type", sa.String(50)),
    sa.Column("input_tokens", sa.Integer()),
    sa.Column("output_tokens", sa.Integer()),
    sa.Column("total_tokens", sa.Integer()),
    sa.Column("estimated_cost_usd", _numeric),
    sa.Column("price_version", sa.String(30)),
    sa.Column("latency_ms", sa.Integer()),
    sa.Column("meta", _json),
    info=V3,
)

llm_credit_snapshots = sa.Table(
    "llm_credit_snapshots",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("provider", sa.String(30)),
    sa.Column("balance_usd", _numeric),
    sa.Column("balance_unit", sa.String(20)),
    sa.Column("source", sa.String(50)),
    sa.Column("note", sa.Text()),
    info=V3,
)

llm_provider_cost_snapshots = sa.Table(
    "llm_provider_cost_snapshots",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("provider", sa.String(30)),
    sa.Column("window_start", sa.DateTime(timezone=True)),
    sa.Column("window_end", sa.DateTime(timezone=True)),
    sa.Column("cost_usd", _numeric),
    sa.Column("currency", sa.String(10)),
    sa.Column("source", sa.String(50)),
    sa.Column("note", sa.Text()),
    info=V3,
)

WEEK6_TABLES = (
    market_data,
    trading_history,
    positions,
    account_state,
    daily_risk_state,
    risk_audit,
    agent_decisions,
)
V3_TABLES = (regime_history, llm_usage_events, llm_credit_snapshots, llm_provider_cost_snapshots)
ALL_TABLES = WEEK6_TABLES + V3_TABLES


def added_in_v3(item: sa.Table | sa.Column) -> bool:
    return item.info.get("since") == "v3"


def v3_columns(table: sa.Table) -> tuple[str, ...]:
    """The columns of a week-6 table that the v3 migrations added."""
    return tuple(column.name for column in table.columns if added_in_v3(column))


def week6_columns(table: sa.Table) -> list[sa.Column]:
    """The columns every bot version has."""
    return [column for column in table.columns if not added_in_v3(column)]
