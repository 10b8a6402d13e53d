"""The Flask side of the app, installed on the server the factory built, in the order a request
meets it: the Host check (dashboard.security), credentials (dashboard.auth), the request's display
preferences (dashboard.preferences), the callback guard (dashboard.callback_guard); the health
endpoints (dashboard.health); on the way out the security headers; and no traceback ever."""

from __future__ import annotations

from dash import Dash

from dashboard import auth, callback_guard, health, preferences, security
from dashboard.extensions import services_of
from dashboard.settings import Settings


def install(app: Dash, settings: Settings) -> None:
    server = app.server
    prefix = settings.url_prefix
    open_paths = health.open_paths(prefix)
    security.install_host_check(server, settings.allowed_hosts, open_paths)
    checker = auth.install(server, settings, open_paths)
    health.install(server, services_of(server), prefix, lambda: checker is not None and checker.check() is None)
    preferences.install(server, settings.display)
    callback_guard.install(app, prefix)
    security.install_headers(app, open_paths)
    security.install_error_pages(server)
