"""Running the dashboard from the command line: `demo` (on an embedded SQLite demo with the paper
bot trading live) and `serve` (the development server against the configured database). In
production gunicorn builds the app (dashboard.wsgi)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from dashboard.settings import Settings


def demo(base: Settings, args) -> int:
    """`demo`: the dashboard on an embedded SQLite demo with the paper bot trading live."""
    from dashboard.app import build_services, create_app, prepare_store
    from store import store_of

    try:
        from simulator.demo import start_demo
    except ModuleNotFoundError as exc:
        if exc.name != "fakeredis":
            raise
        # The in-process Redis is the demo's only extra dependency (the dashboard never needs it).
        print("error: the demo needs fakeredis: pip install 'coinpilot-dashboard[demo]'", file=sys.stderr)
        return 2

    from data.risk import resolve_limits
    from data.strategy_file import read_strategy_file
    from simulator.paper_bot import DEMO_STRATEGY_FILE

    symbols = args.symbols or ["KRW-BTC", "KRW-ETH", "KRW-XRP", "KRW-SOL", "KRW-DOGE"]
    data_dir = Path(args.data_dir).resolve()
    # The demo bot trades by a strategy file and the dashboard reads the same one, as against a real
    # bot: the demo's own, unless COINPILOT_STRATEGY_CONFIG names another.
    strategy_path = base.strategy_config_path or str(DEMO_STRATEGY_FILE)
    limits = resolve_limits(read_strategy_file(strategy_path), base.risk)
    print(f"Preparing demo data in {data_dir} (strategy file {strategy_path}) ...", file=sys.stderr)
    world, clock, redis_client, simulator = start_demo(data_dir, symbols, args.days, args.speed, limits)
    settings = dataclasses.replace(
        base,
        database_url=f"sqlite:///{world.path}",
        n8n_url=None,
        dev_mode=True,
        strategy_config_path=strategy_path,
    )
    services = build_services(settings, redis_client=redis_client, clock=clock.now, clock_rate=args.speed)
    app = create_app(settings, services)
    prepare_store(store_of(app.server))
    print(
        f"CoinPilot Dashboard demo on http://{args.host}:{args.port}{settings.url_prefix} "
        f"(demo time runs {args.speed:g}x; a candle per symbol every {60 / args.speed:g} s). Ctrl+C stops it.",
        file=sys.stderr,
    )
    try:
        app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=False)
    finally:
        simulator.stop()
    return 0


def serve(settings: Settings, args) -> int:
    """`serve`: the development server against the configured database and Redis."""
    from dashboard.app import create_app, prepare_store
    from store import store_of

    settings = dataclasses.replace(settings, dev_mode=True)
    if settings.database_url is None:
        print("configuration error: DATABASE_URL: not set (nor DB_HOST/DB_USER/DB_NAME)", file=sys.stderr)
        return 2
    app = create_app(settings)
    prepare_store(store_of(app.server))
    print(
        f"CoinPilot Dashboard (development server) on http://{args.host}:{args.port}{settings.url_prefix}",
        file=sys.stderr,
    )
    app.run(host=args.host, port=args.port, debug=args.debug, use_reloader=False)
    return 0
