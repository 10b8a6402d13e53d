"""Settings: every configurable value, read from the environment once and passed in.

Nothing else in the code base reads the environment. A bad value raises SettingsError
whose message is one line naming the variable and what is wrong with it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from alerts.config import AlertSettings, TelegramTarget
from data.health import redact
from data.risk import DashboardRiskSettings
from data.symbols import is_valid_symbol_format
from i18n.preferences import COLOUR_CONVENTIONS, LANGUAGES, THEMES, UNITS, Preferences
from store.config import DEFAULT_STATE_DIR, StoreSettings, default_store_url

REFRESH_CHOICES_S = (5, 10, 30, 60, 300)
DB_BACKEND_CHOICES = ("auto", "timescaledb", "postgresql", "sqlite")
DEFAULT_N8N_URL = "http://localhost:5678"
_URL_PREFIX_RE = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)*$")
_HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class SettingsError(ValueError):
    """A configuration value is missing or malformed; str(err) is one line for the operator."""


@dataclass(frozen=True)
class AuthSettings:
    """Who may see the dashboard. No username and no trusted header means open access."""

    username: str | None = None
    password: str | None = None
    password_hash: str | None = None
    trusted_user_header: str | None = None
    # Peers (addresses or networks) whose user header and X-Forwarded-For are believed.
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def basic_auth_enabled(self) -> bool:
        return self.username is not None

    @property
    def enabled(self) -> bool:
        return self.basic_auth_enabled or self.trusted_user_header is not None


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    db_backend: str = "auto"
    db_connect_timeout_s: int = 3
    statement_timeout_ms: int = 5000
    redis_url: str = "redis://localhost:6379/0"
    redis_socket_timeout_s: float = 1.0
    n8n_url: str | None = DEFAULT_N8N_URL
    n8n_timeout_s: float = 2.0
    display_timezone: str = "Asia/Seoul"
    # The dashboard's own risk settings (RISK_*, AI_*, and the mirrors of the bot's REFERENCE_EQUITY
    # and ORDER_FEE_BUFFER_PCT); the RISK_*/AI_* ones apply only without a strategy file.
    risk: DashboardRiskSettings = field(default_factory=DashboardRiskSettings)
    # COINPILOT_STRATEGY_CONFIG: the bot's config/strategy_v3.yaml, mounted read-only.
    strategy_config_path: str | None = None
    refresh_seconds: int = 10
    bot_status_stale_s: int = 120
    candle_stale_s: int = 120
    url_prefix: str = "/"
    # Refresh-query answers are shared for this long per process (data.cache); 0 turns it off.
    data_cache_seconds: float = 1.0
    # The symbols the status strip watches (DASHBOARD_SYMBOLS); empty: those with a candle or a
    # bot status in the last day.
    watched_symbols: tuple[str, ...] = ()
    auth: AuthSettings = field(default_factory=AuthSettings)
    # What a browser sees until it picks otherwise (sidebar switches, remembered in cookies).
    display: Preferences = field(default_factory=Preferences)
    # The alert watcher (`coinpilot-dashboard watch`) and the Alerts page that reads its state.
    alerts: AlertSettings = field(default_factory=AlertSettings)
    # The dashboard's own store (store/): DASHBOARD_STORE_URL, DASHBOARD_STATE_DIR.
    store: StoreSettings = field(default_factory=StoreSettings)
    # Host names the dashboard answers to (DNS rebinding); empty means any.
    allowed_hosts: tuple[str, ...] = ()
    # Set by the CLI for `serve` and `demo` only: Dash dev tools and debug never run in
    # production (gunicorn builds its app from the environment, where this is False).
    dev_mode: bool = False

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.display_timezone)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        env = _Env(environ)
        # None where unset: an unset RISK_* value is the bot's code default, said so on Risk.
        risk = DashboardRiskSettings(
            daily_loss_limit_pct=env.optional_number("RISK_DAILY_LOSS_LIMIT_PCT", 0.01, 100.0),
            max_trades_per_day=env.optional_integer("RISK_MAX_TRADES_PER_DAY", 0, 10_000),
            max_consecutive_losses=env.optional_integer("RISK_MAX_CONSECUTIVE_LOSSES", 1, 1_000),
            cooldown_hours=env.optional_number("RISK_COOLDOWN_HOURS", 0.0, 24.0 * 30),
            max_order_pct=env.optional_number("RISK_MAX_ORDER_PCT", 0.01, 100.0),
            ai_max_calls_per_hour=env.optional_integer("AI_MAX_CALLS_PER_HOUR", 1, 100_000),
            ai_max_calls_per_day=env.optional_integer("AI_MAX_CALLS_PER_DAY", 1, 1_000_000),
            reference_equity=env.optional_number("REFERENCE_EQUITY", 1.0, 1e15),
            # A fraction, as in the bot (0.002 = 0.2 %), despite its name.
            fee_buffer=env.optional_number("ORDER_FEE_BUFFER_PCT", 0.0, 0.999),
        )
        database_url = _database_url(env)
        return cls(
            database_url=database_url,
            db_backend=env.choice("DASHBOARD_DB_BACKEND", "auto", DB_BACKEND_CHOICES),
            db_connect_timeout_s=env.integer("DASHBOARD_DB_CONNECT_TIMEOUT_S", 3, 1, 60),
            statement_timeout_ms=env.integer("DASHBOARD_STATEMENT_TIMEOUT_MS", 5000, 100, 600_000),
            redis_url=_redis_url(env),
            redis_socket_timeout_s=env.number("REDIS_SOCKET_TIMEOUT_S", 1.0, 0.05, 30.0),
            n8n_url=_n8n_url(env),
            n8n_timeout_s=env.number("N8N_TIMEOUT_S", 2.0, 0.1, 30.0),
            display_timezone=_timezone(env),
            risk=risk,
            strategy_config_path=env.raw("COINPILOT_STRATEGY_CONFIG"),
            refresh_seconds=env.integer_choice("DASHBOARD_REFRESH_SECONDS", 10, REFRESH_CHOICES_S),
            bot_status_stale_s=env.integer("BOT_STATUS_STALE_SECONDS", 120, 1, 86_400),
            candle_stale_s=env.integer("CANDLE_STALE_SECONDS", 120, 1, 86_400),
            url_prefix=_url_prefix(env),
            # Below the shortest refresh interval (5 s), so no tick is answered with older data
            # than the tick before it.
            data_cache_seconds=env.number("DASHBOARD_DATA_CACHE_SECONDS", 1.0, 0.0, 4.0),
            watched_symbols=_watched_symbols(env),
            auth=_auth(env),
            display=Preferences(
                language=env.choice("DASHBOARD_LANGUAGE", "ko", LANGUAGES),
                theme=env.choice("DASHBOARD_THEME", "dark", THEMES),
                colours=env.choice("DASHBOARD_MARKET_COLOURS", "korean", COLOUR_CONVENTIONS),
                units=env.choice("DASHBOARD_KRW_UNITS", "full", UNITS),
            ),
            alerts=_alerts(env),
            store=_store(env, database_url),
            allowed_hosts=_allowed_hosts(env),
        )


def _watched_symbols(env: _Env) -> tuple[str, ...]:
    text = env.raw("DASHBOARD_SYMBOLS")
    if text is None:
        return ()
    symbols = tuple(dict.fromkeys(part.strip().upper() for part in text.split(",") if part.strip()))
    bad = [s for s in symbols if not is_valid_symbol_format(s)]
    if bad:
        raise SettingsError(f"DASHBOARD_SYMBOLS: {bad[0]!r} is not a market code like KRW-BTC")
    return symbols


class _Env:
    """Typed access to the environment; every failure names its variable."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def raw(self, name: str) -> str | None:
        value = self._environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value != "" else None

    def is_set_but_empty(self, name: str) -> bool:
        return name in self._environ and self._environ[name].strip() == ""

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        text = self.raw(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise SettingsError(f"{name}: expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise SettingsError(f"{name}: {value} is outside the allowed range {low}..{high}")
        return value

    def optional_number(self, name: str, low: float, high: float) -> float | None:
        return None if self.raw(name) is None else self.number(name, 0.0, low, high)

    def optional_integer(self, name: str, low: int, high: int) -> int | None:
        return None if self.raw(name) is None else self.integer(name, 0, low, high)

    def number(self, name: str, default: float, low: float, high: float) -> float:
        text = self.raw(name)
        if text is None:
            return default
        try:
            value = float(text)
        except ValueError:
            raise SettingsError(f"{name}: expected a number, got {text!r}") from None
        if not low <= value <= high:  # also rejects NaN
            raise SettingsError(f"{name}: {text} is outside the allowed range {low:g}..{high:g}")
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        text = self.raw(name)
        if text is None:
            return default
        if text.lower() not in choices:
            raise SettingsError(f"{name}: {text!r} is not one of {', '.join(choices)}")
        return text.lower()

    def integer_choice(self, name: str, default: int, choices: tuple[int, ...]) -> int:
        value = self.integer(name, default, min(choices), max(choices))
        if value not in choices:
            allowed = ", ".join(str(c) for c in choices)
            raise SettingsError(f"{name}: {value} is not one of {allowed}")
        return value


def normalize_database_url(url_text: str, variable: str = "DATABASE_URL") -> str:
    """Turn CoinPilot's URL forms into one the sync engine uses.

    CoinPilot itself runs on asyncpg; the dashboard uses psycopg2 (a sync driver is what
    a threaded WSGI server needs), so `postgresql+asyncpg://` becomes `postgresql+psycopg2://`.
    """
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise SettingsError(f"{variable}: not a database URL: {url_text!r}") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        query = dict(url.query)
        # asyncpg spells TLS as ?ssl=require; libpq (psycopg2) as ?sslmode=require.
        if "ssl" in query and "sslmode" not in query:
            query["sslmode"] = query.pop("ssl")
        url = url.set(drivername="postgresql+psycopg2", query=query)
        if not url.database:
            raise SettingsError(f"{variable}: no database name in {_safe(url)}")
        return url.render_as_string(hide_password=False)
    if backend == "sqlite":
        if not url.database:
            raise SettingsError(f"{variable}: an in-memory SQLite database holds no bot data")
        return url.set(drivername="sqlite").render_as_string(hide_password=False)
    raise SettingsError(
        f"{variable}: unsupported database {backend!r}; use postgresql:// "
        "(or CoinPilot's postgresql+asyncpg://) or sqlite:///"
    )


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _database_url(env: _Env) -> str | None:
    text = env.raw("DATABASE_URL")
    if text is not None:
        return normalize_database_url(text)
    parts = {name: env.raw(name) for name in ("DB_USER", "DB_PASSWORD", "DB_HOST", "DB_NAME")}
    if not any(parts[name] for name in ("DB_USER", "DB_HOST", "DB_NAME")):
        return None
    if not parts["DB_NAME"]:
        raise SettingsError("DB_NAME: required when DB_HOST or DB_USER is set")
    port = env.integer("DB_PORT", 5432, 1, 65535)
    url = URL.create(
        "postgresql+psycopg2",
        username=parts["DB_USER"],
        password=parts["DB_PASSWORD"],
        host=parts["DB_HOST"] or "localhost",
        port=port,
        database=parts["DB_NAME"],
    )
    return url.render_as_string(hide_password=False)


def _redis_url(env: _Env) -> str:
    text = env.raw("REDIS_URL")
    if text is not None:
        if not re.match(r"^(redis|rediss|unix)://", text):
            raise SettingsError(f"REDIS_URL: expected redis://, rediss:// or unix://, got {redact(text)!r}")
        return text
    host = env.raw("REDIS_HOST") or "localhost"
    if not re.match(r"^[A-Za-z0-9._:-]+$", host):
        raise SettingsError(f"REDIS_HOST: not a host name: {host!r}")
    port = env.integer("REDIS_PORT", 6379, 1, 65535)
    return f"redis://{host}:{port}/0"


def _n8n_url(env: _Env) -> str | None:
    # Unset means CoinPilot's usual local n8n; set to "" (or "none") means "not configured".
    if env.is_set_but_empty("N8N_URL"):
        return None
    text = env.raw("N8N_URL")
    if text is None:
        return DEFAULT_N8N_URL
    if text.lower() == "none":
        return None
    if not re.match(r"^https?://[^\s/]+", text):
        raise SettingsError(f"N8N_URL: expected an http:// or https:// base URL, got {redact(text)!r}")
    return text.rstrip("/")


def _timezone(env: _Env) -> str:
    name = env.raw("DASHBOARD_TIMEZONE") or "Asia/Seoul"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"DASHBOARD_TIMEZONE: unknown time zone {name!r}") from None
    return name


def _url_prefix(env: _Env) -> str:
    prefix = env.raw("DASHBOARD_URL_PREFIX") or "/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not prefix.endswith("/"):
        prefix += "/"
    if not _URL_PREFIX_RE.match(prefix):
        raise SettingsError(
            f"DASHBOARD_URL_PREFIX: {prefix!r} must look like /coinpilot/ (letters, digits, . _ ~ - between slashes)"
        )
    return prefix


def _auth(env: _Env) -> AuthSettings:
    username = env.raw("DASHBOARD_USERNAME")
    password = env.raw("DASHBOARD_PASSWORD")
    password_hash = env.raw("DASHBOARD_PASSWORD_HASH")
    header = env.raw("DASHBOARD_TRUSTED_USER_HEADER")
    if password and password_hash:
        raise SettingsError(
            "DASHBOARD_PASSWORD_HASH: set either DASHBOARD_PASSWORD or DASHBOARD_PASSWORD_HASH, not both"
        )
    if username and not (password or password_hash):
        raise SettingsError("DASHBOARD_PASSWORD: required with DASHBOARD_USERNAME (or DASHBOARD_PASSWORD_HASH)")
    if (password or password_hash) and not username:
        raise SettingsError("DASHBOARD_USERNAME: required when a dashboard password is set")
    if username and ":" in username:
        raise SettingsError("DASHBOARD_USERNAME: may not contain ':' (HTTP basic auth)")
    if password_hash and not re.match(r"^(scrypt|pbkdf2):[^$]+\$[^$]+\$[0-9a-f]+$", password_hash):
        raise SettingsError(
            "DASHBOARD_PASSWORD_HASH: not a werkzeug hash; create one with `coinpilot-dashboard hash-password`"
        )
    if header and not _HEADER_NAME_RE.match(header):
        raise SettingsError(f"DASHBOARD_TRUSTED_USER_HEADER: not a header name: {header!r}")
    proxies = _trusted_proxies(env)
    if header and not proxies:
        raise SettingsError(
            "DASHBOARD_TRUSTED_PROXIES: required with DASHBOARD_TRUSTED_USER_HEADER "
            "(the addresses of the proxy that sets the header, e.g. 127.0.0.1)"
        )
    return AuthSettings(username, password, password_hash, header, proxies)


def _trusted_proxies(env: _Env) -> tuple[IPv4Network | IPv6Network, ...]:
    text = env.raw("DASHBOARD_TRUSTED_PROXIES") or ""
    networks = []
    for item in re.split(r"[\s,]+", text):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"DASHBOARD_TRUSTED_PROXIES: not an IP address or network: {item!r} (use e.g. 127.0.0.1,::1)"
            ) from None
    return tuple(networks)


def _allowed_hosts(env: _Env) -> tuple[str, ...]:
    text = env.raw("DASHBOARD_ALLOWED_HOSTS") or ""
    hosts = tuple(item.lower() for item in re.split(r"[\s,]+", text) if item)
    for host in hosts:
        if not re.match(r"^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$", host):
            raise SettingsError(f"DASHBOARD_ALLOWED_HOSTS: not a host name: {host!r} (no port, no scheme)")
    return hosts


_HTTP_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_TELEGRAM_TOKEN_RE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
_TELEGRAM_CHAT_RE = re.compile(r"^(-?[0-9]+|@[A-Za-z0-9_]{5,})$")


def _secret_url(env: _Env, name: str) -> str | None:
    """An http(s) URL that may carry a secret: an error names the variable, never the value."""
    text = env.raw(name)
    if text is None:
        return None
    if not _HTTP_URL_RE.match(text):
        raise SettingsError(f"{name}: expected an http:// or https:// URL (value not shown: it may hold a secret)")
    return text


def _alerts(env: _Env) -> AlertSettings:
    urls = []
    for number, part in enumerate((env.raw("ALERT_WEBHOOK_URLS") or "").split(","), start=1):
        part = part.strip()
        if not part:
            continue
        if not _HTTP_URL_RE.match(part):
            raise SettingsError(
                f"ALERT_WEBHOOK_URLS: entry {number} is not an http:// or https:// URL (value not shown: it may hold a secret)"
            )
        urls.append(part)
    token = env.raw("ALERT_TELEGRAM_BOT_TOKEN")
    chat = env.raw("ALERT_TELEGRAM_CHAT_ID")
    telegram = None
    if token or chat:
        if not (token and chat):
            missing = "ALERT_TELEGRAM_CHAT_ID" if token else "ALERT_TELEGRAM_BOT_TOKEN"
            raise SettingsError(f"{missing}: required with the other ALERT_TELEGRAM_ setting")
        if not _TELEGRAM_TOKEN_RE.match(token):
            raise SettingsError("ALERT_TELEGRAM_BOT_TOKEN: not a bot token of the form 123456:ABC... (value not shown)")
        if not _TELEGRAM_CHAT_RE.match(chat):
            raise SettingsError(f"ALERT_TELEGRAM_CHAT_ID: expected a numeric chat id or @channelname, got {chat!r}")
        api = _secret_url(env, "ALERT_TELEGRAM_API_URL") or "https://api.telegram.org"
        telegram = TelegramTarget(token, chat, api)
    thresholds = []
    for part in (env.raw("ALERT_LOSS_THRESHOLDS_PCT") or "50,80").split(","):
        try:
            value = float(part)
        except ValueError:
            raise SettingsError(f"ALERT_LOSS_THRESHOLDS_PCT: {part.strip()!r} is not a number") from None
        if not 1.0 <= value <= 100.0:
            raise SettingsError(f"ALERT_LOSS_THRESHOLDS_PCT: {part.strip()} is outside the allowed range 1..100")
        thresholds.append(value)
    public_url = env.raw("DASHBOARD_PUBLIC_URL")
    if public_url is not None and not _HTTP_URL_RE.match(public_url):
        raise SettingsError(f"DASHBOARD_PUBLIC_URL: expected an http:// or https:// URL, got {public_url!r}")
    return AlertSettings(
        evaluation_seconds=env.number("ALERT_EVALUATION_SECONDS", 30.0, 0.1, 3600.0),
        pending_seconds=env.number("ALERT_PENDING_SECONDS", 60.0, 0.0, 86_400.0),
        repeat_minutes=env.number("ALERT_REPEAT_MINUTES", 60.0, 0.0, 10_080.0),
        loss_thresholds_pct=tuple(sorted(set(thresholds))),
        ai_budget_pct=env.number("ALERT_AI_BUDGET_PCT", 80.0, 1.0, 100.0),
        hysteresis_pct=env.number("ALERT_HYSTERESIS_PCT", 5.0, 0.0, 50.0),
        webhook_urls=tuple(urls),
        discord_webhook_url=_secret_url(env, "ALERT_DISCORD_WEBHOOK_URL"),
        slack_webhook_url=_secret_url(env, "ALERT_SLACK_WEBHOOK_URL"),
        telegram=telegram,
        heartbeat_url=_secret_url(env, "ALERT_HEARTBEAT_URL"),
        delivery_timeout_s=env.number("ALERT_DELIVERY_TIMEOUT_S", 5.0, 0.1, 60.0),
        delivery_budget_hours=env.number("ALERT_DELIVERY_BUDGET_HOURS", 24.0, 0.1, 168.0),
        # One directory for both unless told otherwise: DASHBOARD_STATE_DIR is its newer name.
        state_dir=env.raw("ALERT_STATE_DIR") or env.raw("DASHBOARD_STATE_DIR") or DEFAULT_STATE_DIR,
        public_url=public_url.rstrip("/") if public_url else None,
    )


_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1", "[::1]"}


def _store(env: _Env, database_url: str | None) -> StoreSettings:
    """DASHBOARD_STORE_URL, by default the SQLite file in DASHBOARD_STATE_DIR (which defaults to
    ALERT_STATE_DIR: an existing deployment keeps one state directory). Never the bot's database."""
    state_dir = env.raw("DASHBOARD_STATE_DIR") or env.raw("ALERT_STATE_DIR") or DEFAULT_STATE_DIR
    text = env.raw("DASHBOARD_STORE_URL")
    url = default_store_url(state_dir) if text is None else _store_url(text)
    if database_url is not None and _same_database(url, database_url):
        where = make_url(database_url)
        raise SettingsError(
            f"DASHBOARD_STORE_URL: names the bot's database ({where.database} on "
            f"{where.host or 'localhost'}:{where.port or 5432}, DATABASE_URL's); give the dashboard's store "
            "a database of its own"
            if where.get_backend_name() != "sqlite"
            else f"DASHBOARD_STORE_URL: names the bot's database file ({where.database}, DATABASE_URL's); "
            "give the dashboard's store a file of its own"
        )
    return StoreSettings(url=url, state_dir=state_dir)


def _store_url(text: str) -> str:
    # The value is never echoed: a PostgreSQL URL carries the store role's password.
    try:
        url = make_url(text)
    except ArgumentError:
        raise SettingsError(
            "DASHBOARD_STORE_URL: not a database URL (value not shown: it may hold a password); "
            "use sqlite:////path/dashboard.sqlite3 or postgresql://user:password@host/database"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise SettingsError(
                "DASHBOARD_STORE_URL: an in-memory SQLite store is not shared between workers; name a file"
            )
        return url.set(drivername="sqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        query = dict(url.query)
        if "ssl" in query and "sslmode" not in query:
            query["sslmode"] = query.pop("ssl")
        url = url.set(drivername="postgresql+psycopg2", query=query)
        if not url.database:
            raise SettingsError("DASHBOARD_STORE_URL: no database name (value not shown: it may hold a password)")
        return url.render_as_string(hide_password=False)
    raise SettingsError(
        f"DASHBOARD_STORE_URL: unsupported {backend!r}; use sqlite:///path or postgresql://... "
        "(the store is never Redis: the bot's keys stay the bot's)"
    )


def _same_database(store_url: str, database_url: str) -> bool:
    """Whether both URLs reach one database: the same file, or the same database name on the
    same server (whatever the user, and localhost = 127.0.0.1)."""
    store, bot = make_url(store_url), make_url(database_url)
    if store.get_backend_name() != bot.get_backend_name():
        return False
    if store.get_backend_name() == "sqlite":
        return Path(store.database).resolve() == Path(bot.database).resolve()

    def server(url: URL) -> tuple[str, int]:
        host = (url.host or url.query.get("host") or "").lower()
        return ("local" if host in _LOCAL_HOSTS or host.startswith("/") else host, url.port or 5432)

    return store.database == bot.database and server(store) == server(bot)
