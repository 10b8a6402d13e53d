"""The per-process objects on the Flask app (Dash's `app.server`), attached the way Flask extensions
attach theirs: under a key of `server.extensions`, read back by whoever holds the server (the
Flask hooks in dashboard.web, the tests). The data layer knows nothing of Flask."""

from __future__ import annotations

from callbacks.pages import PageServices

# The key under which the services sit in the Flask app's `extensions`.
SERVICES_KEY = "coinpilot"


def attach_services(server, services: PageServices) -> None:
    server.extensions[SERVICES_KEY] = services


def services_of(server) -> PageServices:
    """The services attach_services put on this Flask app."""
    return server.extensions[SERVICES_KEY]
