"""The `coinpilot-dashboard` command: the parser and, per command, a few lines that read the
settings and hand them to the command, which lives beside what it manages: demo and serve in
dashboard.run, check in dashboard.check, hash-password in dashboard.auth, seed in
simulator.seed_command, rollups in admin.rollups_command, store in store.command, watch in
alerts.command, bot-status in simulator.bot_status_tool."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dashboard import __version__
from dashboard.settings import Settings, SettingsError, normalize_database_url


def settings_or_exit(environ=None) -> Settings:
    """The settings from the environment, or exit 2 after the one-line error."""
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


def _owner_database(database_url: str, settings, *, read_only: bool):
    """The database an admin command (seed, rollups) was pointed at, with no statement timeout,
    opened for writing unless `read_only`; None, after one line on stderr, when the URL is
    malformed."""
    from data.database import Database
    from simulator.writer import WritableDatabase

    try:
        url = normalize_database_url(database_url, "--database-url")
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if read_only:
        return Database(
            url,
            backend_setting=settings.db_backend,
            statement_timeout_ms=None,
            connect_timeout_s=settings.db_connect_timeout_s,
        )
    return WritableDatabase(url, backend_setting=settings.db_backend, connect_timeout_s=settings.db_connect_timeout_s)


def _database_url_missing(settings: Settings) -> bool:
    if settings.database_url is None:
        print("configuration error: DATABASE_URL: not set (nor DB_HOST/DB_USER/DB_NAME)", file=sys.stderr)
        return True
    return False


def cmd_demo(args) -> int:
    from dashboard.run import demo

    return demo(settings_or_exit(), args)


def cmd_serve(args) -> int:
    from dashboard.run import serve

    return serve(settings_or_exit(), args)


def cmd_seed(args) -> int:
    from simulator.seed_command import seed

    writer = _owner_database(args.database_url, settings_or_exit(), read_only=False)
    if writer is None:
        return 2
    return seed(
        writer,
        symbols=args.symbols,
        days=args.days,
        seed=args.seed,
        schema=args.schema,
        compress=args.compress,
        force=args.force,
    )


def cmd_check(args) -> int:
    from dashboard.check import check

    return check(settings_or_exit())


def cmd_rollups(args) -> int:
    from admin.rollups_command import run

    database = _owner_database(args.database_url, settings_or_exit(), read_only=args.action == "status")
    if database is None:
        return 2
    return run(args.action, database)


def cmd_store(args) -> int:
    from store.command import upgrade

    settings = settings_or_exit()
    return upgrade(settings.store, settings.db_connect_timeout_s, settings.display.language)


def cmd_hash_password(args) -> int:
    from dashboard.auth import cmd_hash_password as hash_password

    return hash_password(args)


def cmd_watch(args) -> int:
    from alerts import command

    settings = settings_or_exit()
    if args.silence:
        return command.silence(args.silence, args.for_, settings.alerts, settings.timezone)
    if _database_url_missing(settings):
        return 2
    from dashboard.app import build_services

    return command.watch(
        build_services(settings),
        settings.alerts,
        settings.timezone,
        settings.display.language,
        once=args.once,
        dry_run=args.dry_run,
    )


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

    return run(args, lambda: settings_or_exit().redis_url)


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
