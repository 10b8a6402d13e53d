"""The application factory: create_app(settings) builds the services, the Dash app and its
server hooks. Nothing happens at import time."""

from __future__ import annotations

import html as html_text
import logging
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from dash import Dash, html

import callbacks
from alerts.state import AlertStateReader
from callbacks.pages import PageServices
from dashboard import auth, web
from dashboard.extensions import attach_services
from dashboard.settings import Settings
from data.bot_limits import BotLimits
from data.database import Database
from data.services import utc_now
from data.status_reader import BotStatusReader, make_redis_client
from i18n import current as current_preferences
from i18n import t
from layouts import ai, alerts, exits, history, market, overview, risk, shell, system
from layouts import format as fmt
from store import DashboardStore, StoreError

log = logging.getLogger("coinpilot.dashboard")

# Dark Bootstrap and AG Grid themes are switched on by attributes on <html> and <body>.
# The opening tags carry the browser's preferences (CoinPilotDash.interpolate_index fills them in),
# so the page is drawn in its language, theme and colours from the first paint.
HTML_TAG = '<html lang="ko" data-bs-theme="dark" data-colours="korean">'
BODY_TAG = '<body data-ag-theme-mode="dark">'
INDEX_STRING = (
    """<!DOCTYPE html>
"""
    + HTML_TAG
    + """
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    """
    + BODY_TAG
    + """
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
)


def assets_folder() -> str:
    """The repository's assets/ (editable installs, the Docker image) or the installed copy."""
    candidates = [
        Path(__file__).resolve().parent.parent / "assets",
        Path(sys.prefix) / "share" / "coinpilot-dashboard" / "assets",
    ]
    for candidate in candidates:
        if (candidate / "dashboard.css").is_file():
            return str(candidate)
    raise RuntimeError("assets/ not found: install the dashboard from its repository")


def build_services(settings: Settings, *, redis_client=None, clock=utc_now, clock_rate: float = 1.0) -> PageServices:
    database = Database(
        settings.database_url,
        backend_setting=settings.db_backend,
        connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    if redis_client is None:
        redis_client = make_redis_client(settings.redis_url, settings.redis_socket_timeout_s)
        description = _redact_redis_url(settings.redis_url)
    else:
        description = "in-process Redis substitute (demo)"
    services = PageServices(
        database=database,
        bot_status=BotStatusReader(
            redis_client, clock, stale_after_s=settings.bot_status_stale_s, description=description
        ),
        bot_limits=BotLimits(settings.risk, settings.strategy_config_path),
        n8n_url=settings.n8n_url,
        n8n_timeout_s=settings.n8n_timeout_s,
        candle_stale_s=settings.candle_stale_s,
        data_cache_s=settings.data_cache_seconds,
        clock=clock,
        clock_rate=clock_rate,
        display_timezone=settings.timezone,
        refresh_s=settings.refresh_seconds,
        access=auth.access_mode(settings.auth),
        watched_symbols=settings.watched_symbols,
    )
    return services


def build_store(settings: Settings) -> DashboardStore:
    """The dashboard's own store (nothing is opened until first use)."""
    return DashboardStore(
        settings.store.url,
        connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=settings.statement_timeout_ms,
    )


def prepare_store(store: DashboardStore) -> bool:
    """At a process's start-up: create the store's tables when it is empty. Never raises: a
    store that cannot be written is logged here and named on the System page, and the pages
    work without it."""
    try:
        report = store.prepare()
    except StoreError as exc:
        log.warning("dashboard store unavailable (the pages keep working): %s", exc.message.text("en"))
        return False
    if report.created:
        log.info("dashboard store %s created at schema version %d", store.display_url, report.now)
    return True


def _redact_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(parts.password, "***")
        return parts._replace(netloc=netloc).geturl()
    return url


# The Plotly bundle (1.3 MB) is fetched by assets/lazy-bundles.js when a page first draws a chart,
# not by every page's first load (issue 14).
LAZY_LOADER = "lazy-bundles.js"
PLOTLY_SCRIPT = re.compile(r'<script src="([^"]*/plotly-partial\.min\.js[^"]*)"></script>\n?')


class CoinPilotDash(Dash):
    """Dash with the index page's <html> and <body> tags set from the request's preferences,
    and the Plotly bundle loaded by the pages that draw a chart."""

    def interpolate_index(self, **kwargs):
        kwargs["scripts"] = self._lazy_scripts(kwargs["scripts"])
        page = super().interpolate_index(**kwargs)
        preferences = current_preferences()
        html_tag = (
            f'<html lang="{preferences.language}" data-bs-theme="{preferences.theme}" '
            f'data-colours="{preferences.colours}">'
        )
        body_tag = f'<body data-ag-theme-mode="{preferences.theme}">'
        return page.replace(HTML_TAG, html_tag, 1).replace(BODY_TAG, body_tag, 1)

    def _lazy_scripts(self, scripts: str) -> str:
        """The index's script tags without the lazy bundle, and the loader that fetches it on
        demand after the component bundles (it wraps dcc.Graph, so it must run after dcc)."""
        match = PLOTLY_SCRIPT.search(scripts)
        if match is None:  # no Plotly in the page: nothing to load later
            return scripts
        scripts = scripts[: match.start()] + scripts[match.end() :]
        loader = Path(self.config.assets_folder) / LAZY_LOADER
        src = f"{self.get_asset_url(LAZY_LOADER)}?m={loader.stat().st_mtime:.0f}"
        plotly = html_text.unescape(match.group(1))
        attributes = {"src": src, "data-plotly": plotly, "data-failed-message": t("shell.bundle_failed")}
        rendered = " ".join(f'{name}="{html_text.escape(value, quote=True)}"' for name, value in attributes.items())
        return f"{scripts}\n<script {rendered}></script>"


def create_app(settings: Settings, services: PageServices | None = None, store: DashboardStore | None = None) -> Dash:
    services = services or build_services(settings)
    store = store or build_store(settings)
    app = CoinPilotDash(
        __name__,
        url_base_pathname=settings.url_prefix,
        assets_folder=assets_folder(),
        serve_locally=True,
        # Added to the index by CoinPilotDash._lazy_scripts, after the component bundles.
        assets_ignore=re.escape(LAZY_LOADER),
        title="CoinPilot Dashboard",
        update_title=None,
        index_string=INDEX_STRING,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    tz_label = fmt.timezone_label(services.display_timezone)

    def shell_layout():
        # A function, so Dash renders the shell per request: in that browser's language.
        return shell.app_layout(app.get_relative_path, services.refresh_s, tz_label)

    app.layout = shell_layout
    # Every page's components, so Dash can validate callbacks against ids that only exist
    # once their page is shown.
    app.validation_layout = html.Div(
        [
            shell_layout(),
            overview.page(),
            market.page([], None, market.DEFAULT_WIDTH, market.DEFAULT_COUNT, market.DEFAULT_OVERLAYS),
            risk.page(),
            history.page([], [], [], [], None, None, tz_label),
            system.page(),
            exits.page(30, 7, 90),
            ai.page(),
            alerts.page(),
        ]
    )
    attach_services(app.server, services)
    AlertStateReader(settings.alerts.state_path, settings.alerts.delivery_budget_s).init_app(app.server)
    store.init_app(app.server)
    callbacks.register(app, services)
    web.install(app, settings)
    _register_component_bundles(app, settings.url_prefix)
    return app


def _register_component_bundles(app: Dash, prefix: str) -> None:
    """Dash learns which component bundles it may serve while rendering the index page. In a
    fresh gunicorn worker (or behind a load balancer) the first request can be for a bundle,
    which Dash would then refuse with a 500 ("not a registered library"). Rendering the index
    once at start-up registers them in every process."""
    with app.server.test_request_context(prefix):
        app.index()
