"""Callbacks: plain functions that compute each panel from the data layer (testable without a
server), and register(app, services), which wires them to the app the factory built."""

from __future__ import annotations

from dash import Dash

from callbacks import ai, alerts, exits, history, market, overview, reconciliation, risk, round_trips, shell, system
from callbacks.pages import PageServices


def register(app: Dash, services: PageServices) -> None:
    for page in (shell, overview, market, risk, history, round_trips, system, reconciliation, exits, ai, alerts):
        page.register(app, services)
