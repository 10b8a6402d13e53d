"""The `coinpilot-dashboard` command: demo, serve, seed, check, rollups, store, bot-status, hash-password, watch."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from dashboard import __version__
from dashboard.settings import Settings, SettingsError, normalize_database_url

log = logging.getLogger("coinpilot.dashboard")


def _settings(environ=None) -> Settings:
    try:
        return Settings.from_env(os.environ if environ is None else environ)
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per request from the development server is noise next to the dashboard's own log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


class ProgressBar:
    """A text progress bar on stderr (rewritten in place on a terminal, a line per quarter otherwise)."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self._last: dict[str, int] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if self.tty:
            filled = int(fraction * 30)
            self.stream.write(
                f"\r{label:<28} [{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% {done:,}/{total:,}"
            )
            if done >= total:
                self.stream.write("\n")
        else:
            quarter = int(fraction * 4)
            if self._last.get(label) != quarter:
                self._last[label] = quarter
                self.stream.write(f"{label}: {fraction * 100:.0f}% ({done:,}/{total:,})\n")
        self.stream.flush()


def cmd_demo(args) -> int:
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

    base = _settings()
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


def cmd_serve(args) -> int:
    from dashboard.app import create_app, prepare_store
    from store import store_of

    settings = dataclasses.replace(_settings(), dev_mode=True)
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


def _owner_database(database_url: str, settings, *, read_only: bool):
    """The database an admin command (seed, rollups) was pointed at, with no statement timeout;
    None, after one line on stderr, when the URL is malformed."""
    from data.database import Database

    try:
        url = normalize_database_url(database_url, "--database-url")
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return Database(
        url,
        backend_setting=settings.db_backend,
        read_only=read_only,
        statement_timeout_ms=None,
        connect_timeout_s=settings.db_connect_timeout_s,
    )


def cmd_seed(args) -> int:
    from data.database import Backend
    from simulator.paper_bot import BotConfig
    from simulator.seeding import (
        COMPRESS_AFTER,
        compress_chunks_older_than,
        create_schema,
        empty_tables,
        tables_with_rows,
        write_history,
    )
    from simulator.synthetic import generate_history

    settings = _settings()
    writer = _owner_database(args.database_url, settings, read_only=False)
    if writer is None:
        return 2
    try:
        backend = writer.backend
        filled = tables_with_rows(writer.engine)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"error: cannot open {writer.display_url}: {exc}", file=sys.stderr)
        return 1
    if args.compress and backend is not Backend.TIMESCALEDB:
        print(f"error: --compress needs TimescaleDB; {writer.display_url} is {backend.label}", file=sys.stderr)
        return 2
    if filled and not args.force:
        print(
            f"refusing to seed {writer.display_url}: {', '.join(filled)} already hold rows "
            "(use --force to delete them first)",
            file=sys.stderr,
        )
        return 1
    if filled:
        empty_tables(writer.engine)
        print(f"--force: deleted the rows of {', '.join(filled)}", file=sys.stderr)
    create_schema(writer.engine, backend, args.schema)
    progress = ProgressBar()
    started = time.perf_counter()
    history = generate_history(
        args.symbols,
        args.days,
        datetime.now(UTC),
        seed=args.seed,
        # A v3 bot trades by the demo's strategy file (simulator/strategy_v3.yaml: point the dashboard's
        # COINPILOT_STRATEGY_CONFIG at it); a week-6 bot by the bot's code defaults.
        config=BotConfig(limit_counts_buys=args.schema == "v3", v3=args.schema == "v3"),
        progress=lambda done, total: progress("simulating the paper bot", done, total),
    )
    generated = time.perf_counter()
    report = write_history(writer.engine, backend, history, progress)
    compressed = ""
    if args.compress:
        # What production's policy would have done by now, without waiting for its job.
        chunks = compress_chunks_older_than(writer.engine, datetime.now(UTC) - COMPRESS_AFTER)
        compressed = f"; compressed {chunks} chunks older than {COMPRESS_AFTER.days} days"
    finished = time.perf_counter()
    print(
        f"Seeded {writer.display_url} ({backend.label}): {report.candles:,} candles, {report.orders:,} orders, "
        f"{report.audits:,} risk-audit events, {report.decisions:,} AI decisions in {finished - started:.1f} s "
        f"(generate {generated - started:.1f} s, write {finished - generated:.1f} s){compressed}",
        file=sys.stderr,
    )
    return 0


def cmd_check(args) -> int:
    from dashboard.app import build_services, build_store
    from data.database import DataError
    from data.health import check_n8n
    from data.status_reader import RedisUnavailable
    from layouts.access import access_sentence

    settings = _settings()
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


def cmd_rollups(args) -> int:
    """create|status|refresh|drop the candle rollups: the one write to a bot's database, an
    explicit admin command for an owner of that database (the dashboard itself only reads)."""
    from data.database import DataError
    from data.rollup_admin import RollupAdminError, create_rollups, drop_rollups, refresh_rollups, require_timescaledb
    from data.rollups import ROLLUP_SCHEMA, rollup_status

    settings = _settings()
    database = _owner_database(args.database_url, settings, read_only=args.action == "status")
    if database is None:
        return 2
    try:
        require_timescaledb(database.backend, database.display_url)
        if args.action in ("create", "refresh"):
            started = time.perf_counter()
            progress = lambda r: print(f"refreshing {r.view} ...", file=sys.stderr)  # noqa: E731
            if args.action == "create":
                report = create_rollups(database.engine, progress)
                made = ", ".join(report.views_created) or "nothing new (the views were there)"
                print(f"created in {ROLLUP_SCHEMA}: {made}; refresh policies in place", file=sys.stderr)
            else:
                refresh_rollups(database.engine, progress)
            print(f"materialised up to one bucket before now in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if args.action == "drop":
            dropped = drop_rollups(database.engine)
            views = ", ".join(dropped.views_dropped) or "no rollup views (none existed)"
            schema = (
                f"; schema {ROLLUP_SCHEMA} dropped"
                if dropped.schema_dropped
                else f"; schema {ROLLUP_SCHEMA} kept: {dropped.schema_kept_because}"
                if dropped.schema_kept_because
                else ""
            )
            print(f"dropped {views}{schema}", file=sys.stderr)
            return 0
        with database.connect() as conn:
            statuses = rollup_status(conn, database.backend)
    except (RollupAdminError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"error: {database.display_url}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    for line in rollup_status_lines(statuses, datetime.now(UTC)):
        print(line)
    return 0


def rollup_status_lines(statuses, now: datetime) -> list[str]:
    """`rollups status` as text: one line per rollup, its policy job on the next."""
    if not any(status.exists for status in statuses):
        return ["no rollups: candles are aggregated from the 1-minute rows (`rollups create` makes them)"]
    lines = []
    for status in statuses:
        name = status.rollup.view
        if not status.exists:
            lines.append(f"{name:<11} missing")
            continue
        lag = status.lag(now)
        watermark = (
            f"materialised up to {status.watermark:%Y-%m-%d %H:%M} UTC ({_duration(lag)} behind)"
            if status.watermark is not None
            else "nothing materialised yet"
        )
        notes = []
        if not status.real_time:
            notes.append("real-time aggregation OFF: not used (newest candles would be missing)")
        if not status.readable:
            notes.append("not readable by this role")
        if status.watermark is not None and status.behind(now):
            notes.append("BEHIND")
        lines.append(f"{name:<11} {watermark}" + (f"; {'; '.join(notes)}" if notes else ""))
        lines.append(f"{'':<11} {_job_text(status.job)}")
    return lines


def _job_text(job) -> str:
    if job is None:
        return "no refresh policy (run `rollups create` again to add it)"
    state = "paused" if not job.scheduled else (job.job_status or "scheduled").lower()
    if job.last_run_status is None:
        last = "never ran"
    else:
        last = f"last run {job.last_run_status.upper()} at {_at(job.last_run_started_at)}"
    text = (
        f"policy job {job.job_id}: {state}; {last}; {job.total_failures} of {job.total_runs} runs failed; "
        f"last success {_at(job.last_successful_finish)}; next run {_at(job.next_start)}"
    )
    if job.last_error:
        text += f"; last error: {job.last_error}"
    elif job.failing and not job.errors_visible:
        text += "; error text visible only to the job's owner"
    return text


def _at(value) -> str:
    return "never" if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _duration(delta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def cmd_store(args) -> int:
    """`store upgrade`: bring the dashboard's own store to this code's schema version (start-up
    does it by itself only for an empty store; a store holding data is upgraded on purpose)."""
    from store import DashboardStore, StoreError

    settings = _settings()
    # No statement timeout: a later step may rewrite a large table.
    store = DashboardStore(
        settings.store.url, connect_timeout_s=settings.db_connect_timeout_s, statement_timeout_ms=None
    )
    try:
        report = store.upgrade()
    except StoreError as exc:
        print(f"error: {exc.message.text(settings.display.language)}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    if not report.applied:
        print(f"store {store.display_url}: at schema version {report.now} (current), nothing to do")
    else:
        steps = ", ".join(str(version) for version in report.applied)
        before = "empty" if report.found is None else f"schema version {report.found}"
        print(f"store {store.display_url}: {before} -> schema version {report.now} (applied step {steps})")
    return 0


def cmd_hash_password(args) -> int:
    from dashboard.auth import cmd_hash_password as hash_password

    return hash_password(args)


def cmd_watch(args) -> int:
    """The alert watcher (alerts/): evaluate the rules every ALERT_EVALUATION_SECONDS and deliver."""
    import signal

    from alerts.rules import RULES
    from alerts.store import AlertStore
    from alerts.watcher import Watcher
    from dashboard.app import build_services

    settings = _settings()
    if args.silence:
        if args.silence.split(":", 1)[0] not in RULES:
            print(f"error: unknown rule {args.silence!r}; rules: {', '.join(RULES)}", file=sys.stderr)
            return 2
        if args.for_ is None:
            print("error: --silence needs --for, e.g. --for 2h", file=sys.stderr)
            return 2
        until = AlertStore(settings.alerts.state_path).add_silence(args.silence, args.for_)
        print(
            f"silenced {args.silence} until {datetime.fromtimestamp(until, UTC).astimezone(settings.timezone):%Y-%m-%d %H:%M %Z}"
        )
        return 0
    if settings.database_url is None:
        print("configuration error: DATABASE_URL: not set (nor DB_HOST/DB_USER/DB_NAME)", file=sys.stderr)
        return 2
    services = build_services(settings)
    watcher = Watcher(services, settings.alerts, settings.timezone, language=settings.display.language)
    if args.dry_run:
        for line in watcher.dry_run():
            print(line)
        return 0
    if args.once:
        watcher.start_delivery()
        report = watcher.evaluate()
        watcher.drain(settings.alerts.delivery_timeout_s * 2 + 1)
        watcher.stop()
        print("evaluated" if report.leader else "standby: another watcher holds the sender lease", file=sys.stderr)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: watcher.stop_event.set())
    log.info(
        "alert watcher %s: every %g s, %d channel(s), state in %s",
        watcher.holder,
        settings.alerts.evaluation_seconds,
        len(watcher.channels),
        settings.alerts.state_path,
    )
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    return 0


def _duration_arg(text: str) -> float:
    """30m, 2h, 1d or seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    try:
        value = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 30m, 2h, 1d)") from None
    if not 0 < value <= 30 * 86400:
        raise argparse.ArgumentTypeError("a silence lasts more than 0 and at most 30 days")
    return value


def cmd_bot_status(args) -> int:
    from simulator.bot_status_tool import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coinpilot-dashboard", description="CoinPilot operations dashboard")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run on an embedded SQLite demo with a live simulator (no servers needed)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8050)
    demo.add_argument("--data-dir", default="demo-data", help="where the demo SQLite file lives (reused between runs)")
    demo.add_argument("--speed", type=_positive_float, default=12.0, help="demo minutes per real minute (default 12)")
    demo.add_argument(
        "--days",
        type=_positive_float,
        default=10.0,
        help="days of history for a new demo database (the regime needs 200 hourly closes: over 8.3 days)",
    )
    demo.add_argument("--symbols", nargs="+", help="symbols for a new demo database")
    demo.add_argument("--debug", action="store_true", help="Dash debug mode and dev tools")
    demo.set_defaults(func=cmd_demo)

    serve = commands.add_parser("serve", help="development server against the configured database and Redis")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--debug", action="store_true", help="Dash debug mode and dev tools")
    serve.set_defaults(func=cmd_serve)

    seed = commands.add_parser("seed", help="write synthetic CoinPilot history into a database")
    seed.add_argument("--database-url", required=True)
    seed.add_argument("--days", type=_positive_float, default=30.0)
    seed.add_argument("--symbols", nargs="+", default=["KRW-BTC", "KRW-ETH", "KRW-XRP"])
    seed.add_argument("--seed", type=int, default=7, help="random seed (the same seed gives the same history)")
    seed.add_argument("--force", action="store_true", help="delete existing rows of the CoinPilot tables first")
    seed.add_argument(
        "--schema",
        choices=("v3", "week6"),
        default="v3",
        help="the bot generation whose tables to create: v3 (today's bot, default) or week6",
    )
    seed.add_argument(
        "--compress",
        action="store_true",
        help="TimescaleDB: also compress the chunks older than 7 days now (the policy's job, done at once)",
    )
    seed.set_defaults(func=cmd_seed)

    check = commands.add_parser("check", help="report database, TimescaleDB, Redis and n8n connectivity")
    check.set_defaults(func=cmd_check)

    rollups = commands.add_parser(
        "rollups",
        help="create|status|refresh|drop candle rollups (TimescaleDB continuous aggregates; run by a database owner)",
    )
    rollups.add_argument("action", choices=["create", "status", "refresh", "drop"])
    rollups.add_argument("--database-url", required=True)
    rollups.set_defaults(func=cmd_rollups)

    store = commands.add_parser(
        "store", help="upgrade the dashboard's own store (DASHBOARD_STORE_URL) to this version's schema"
    )
    store.add_argument("action", choices=["upgrade"])
    store.set_defaults(func=cmd_store)

    hash_password = commands.add_parser("hash-password", help="print a DASHBOARD_PASSWORD_HASH for a password")
    hash_password.add_argument("--stdin", action="store_true", help="read the password from standard input")
    hash_password.set_defaults(func=cmd_hash_password)

    watch = commands.add_parser("watch", help="the alert watcher: evaluate the alert rules and deliver messages")
    watch.add_argument("--once", action="store_true", help="evaluate once, deliver what it queued, exit")
    watch.add_argument("--dry-run", action="store_true", help="evaluate once and print what would be sent")
    watch.add_argument("--silence", metavar="RULE", help="silence a rule (or rule:subject) for --for")
    watch.add_argument("--for", dest="for_", type=_duration_arg, metavar="DURATION", help="e.g. 30m, 2h, 1d")
    watch.set_defaults(func=cmd_watch)

    from simulator import bot_status_tool

    # The tool's own options on the subcommand, so `bot-status --help` and options before the
    # symbols parse as they do for `python scripts/test_bot_status.py`.
    bot_status = commands.add_parser(
        "bot-status",
        help="write test bot statuses to Redis (see scripts/test_bot_status.py)",
        description=bot_status_tool.DESCRIPTION,
    )
    bot_status_tool.add_arguments(bot_status)
    bot_status.set_defaults(func=cmd_bot_status)
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def main(argv=None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args, unknown = parser.parse_known_args(argv)
    if args.command == "bot-status":
        # Symbols and options in any order (`bot-status KRW-BTC --action BUY KRW-ETH`): argparse
        # parses a subcommand's positionals in one run, so the tool's own parser re-reads its part
        # the intermixed way.
        from simulator import bot_status_tool

        tool_args = argv[argv.index("bot-status") + 1 :]
        args = bot_status_tool.build_parser().parse_intermixed_args(tool_args, namespace=args)
    elif unknown:
        parser.error("unrecognized arguments: " + " ".join(unknown))
    _configure_logging(args.verbose)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
