"""`coinpilot-dashboard check`: the database (with TimescaleDB), Redis, n8n, the access mode, the
bot's strategy file and the dashboard's own store, one line each."""

from __future__ import annotations

from dashboard import __version__
from dashboard.settings import Settings


def check(settings: Settings) -> int:
    """`check`: each dependency's state on a line; the exit status is the database's."""
    from dashboard.app import build_services, build_store
    from data.database import DataError
    from data.health import check_n8n
    from data.status_reader import RedisUnavailable
    from layouts.access import access_sentence

    services = build_services(settings)
    database = services.database
    status = 0
    print(f"CoinPilot Dashboard {__version__}")
    try:
        info = database.info()
        timescale = f"TimescaleDB {info.timescaledb_version}" if info.timescaledb_version else info.backend.label
        if info.backend.value == "postgresql":
            timescale = "plain PostgreSQL (TimescaleDB not installed)"
        print(
            f"database  OK    {database.display_url}: {info.server_version}; {timescale}; round trip {info.latency_ms:.1f} ms"
        )
    except DataError as exc:
        print(f"database  FAIL  {database.display_url}: {exc}")
        status = 1
    try:
        version, latency = services.bot_status.server_info()
        print(f"redis     OK    {services.bot_status.description}: Redis {version}; ping {latency:.1f} ms")
    except RedisUnavailable as exc:
        print(f"redis     FAIL  {exc}")
    health = check_n8n(settings.n8n_url, settings.n8n_timeout_s)
    label = "OK  " if health.state.value == "ok" else "--  " if health.state.value == "not_configured" else "FAIL"
    print(f"n8n       {label}  {health.url or ''} {health.message}".rstrip())
    print(f"access    {access_sentence(services.access, 'en')}")
    limits = services.risk_limits
    if limits.strategy is None:
        print(
            "strategy  --    no strategy file (COINPILOT_STRATEGY_CONFIG): the dashboard's RISK_* or the bot's defaults"
        )
    else:
        problems = "; ".join(str(p) for p in limits.problems)
        label = "WARN" if problems else "OK  "
        summary = (
            f"loss {limits.daily_loss_limit_pct:g}%, {limits.max_daily_trades.value} BUYs, "
            f"order {limits.max_order_pct:g}%, exposure {limits.max_total_exposure.value * 100:g}%"
        )
        print(f"strategy  {label}  {limits.strategy.path}: {problems or summary}")
    print(store_status_line(build_store(settings).status(prepare=False), settings.display.language))
    return status


def store_status_line(status, language: str) -> str:
    """`check`'s line for the dashboard's own store (it looks without creating anything). The
    exit status stays the database's: the pages work without the store, as without Redis."""
    if status.state.value == "ok":
        return (
            f"store     OK    {status.where}: {status.server_version}; schema version {status.found_version} "
            f"(current); writable; round trip {status.latency_ms:.1f} ms"
        )
    label = "--  " if status.state.value == "empty" else "FAIL"
    return f"store     {label}  {status.where}: {status.problem.text(language)}"
