"""Access to the real PostgreSQL, Redis and Chromium of the machine, for tests.

A missing service skips the test with the reason, except when COINPILOT_REQUIRE_SERVICES=1
(set by CI): then it fails, so nothing is silently skipped there.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from contextlib import closing

import pytest

REQUIRE_SERVICES = os.environ.get("COINPILOT_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("COINPILOT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
# Real TimescaleDB: ../shared/timescaledb/start-cluster runs it on port 5433 (.ci/run does).
TSDB_ADMIN_URL = os.environ.get("COINPILOT_TEST_TSDB_URL", "postgresql+psycopg2://postgres@127.0.0.1:5433/postgres")
REDIS_URL_BASE = os.environ.get("COINPILOT_TEST_REDIS_URL", "redis://127.0.0.1:6379")
CHROMIUM = os.environ.get("COINPILOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing(reason: str):
    """Skip (on a developer's machine) or fail (in CI) because a service is absent."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (COINPILOT_REQUIRE_SERVICES=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing(f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
    return CHROMIUM
