"""Each request's display preferences (language, theme, market colours, KRW units), set before
the request is rendered and forgotten after it (i18n.current() reads them)."""

from __future__ import annotations

from flask import Response, g, request

from i18n.preferences import COOKIE_MAX_AGE_S, Preferences, reset_current, set_current


def install(server, defaults: Preferences) -> None:
    """Each request is rendered in its browser's language, theme, colours and units: the
    settings' defaults, then the browser's cookies (sidebar switches), then `?lang=` & co. in a
    link, which is remembered as a cookie so the page's later callbacks keep it."""

    @server.before_request
    def adopt_preferences():
        preferences, from_link = defaults.resolve(request.args, request.cookies)
        g.coinpilot_preferences_token = set_current(preferences)
        g.coinpilot_preferences_from_link = from_link

    @server.after_request
    def remember_linked_preferences(response: Response) -> Response:
        for cookie, value in getattr(g, "coinpilot_preferences_from_link", {}).items():
            response.set_cookie(cookie, value, max_age=COOKIE_MAX_AGE_S, path="/", samesite="Lax")
        return response

    @server.teardown_request
    def forget_preferences(_exc):
        token = g.pop("coinpilot_preferences_token", None)
        if token is not None:
            try:
                reset_current(token)
            except ValueError:  # set in another context (a streamed response): nothing to undo
                pass
