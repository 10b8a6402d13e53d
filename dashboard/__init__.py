"""CoinPilot Dashboard: the application package (factory, settings, CLI, WSGI entry point)."""

__version__ = "0.1.0"
