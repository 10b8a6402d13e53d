"""Fixtures of the integration tests beyond the shared ones (tests/conftest.py)."""

from tests.support.alert_world import bot_database  # noqa: F401 - a fixture, found by name
