"""What a phone on a mobile network downloads first: every page's first load through the shipped
nginx config (tests/support/page_weight.py counts what Chromium received)."""

from __future__ import annotations

import pytest

from tests.deploy.test_deployment import database_url  # noqa: F401 - the seeded database, a fixture
from tests.support.page_weight import PAGES, first_load
from tests.support.processes import Gunicorn, Nginx

pytestmark = [pytest.mark.nginx, pytest.mark.postgres, pytest.mark.redis, pytest.mark.browser]

DECODED_TARGET = 2_500_000
WIRE_TARGET = 800_000


@pytest.fixture(scope="module")
def first_loads(database_url, redis_db, browser, tmp_path_factory):  # noqa: F811 - the fixture
    work = tmp_path_factory.mktemp("weight")
    with (
        Gunicorn({"DATABASE_URL": database_url, "REDIS_URL": redis_db, "N8N_URL": ""}, work).start() as gunicorn,
        Nginx("coinpilot.conf", [gunicorn.port], work / "nginx").start() as nginx,
    ):
        yield {path: first_load(browser, nginx.url, path, ready) for path, ready in PAGES.items()}


def test_no_page_downloads_the_full_plotly_bundle(first_loads):
    for weight in first_loads.values():
        assert not [name for name, _, _ in weight.files if "plotly.min.js" in name], weight.path


def test_every_script_and_stylesheet_is_compressed_on_the_wire(first_loads):
    for weight in first_loads.values():
        uncompressed = [
            (name, decoded, wire)
            for name, decoded, wire in weight.files
            if name.split("?")[0].endswith((".js", ".css")) and decoded > 10_000 and wire > decoded * 0.6
        ]
        assert not uncompressed, f"{weight.path}: {uncompressed}"


@pytest.mark.xfail(
    strict=True,
    reason="below what Dash itself needs: its renderer, React and component bundles are 1.44 MB "
    "decoded on every page, AG Grid's bundle 1.3 MB (loaded with them) and Plotly's core 1.3 MB where "
    "a chart is drawn (assets/lazy-bundles.js): 4.4-5.9 MB decoded, 1.47-1.95 MB on the wire "
    "(bench/page_weight.py)",
)
def test_every_first_load_is_within_the_phone_budget(first_loads):
    over = {
        path: (weight.decoded, weight.wire)
        for path, weight in first_loads.items()
        if weight.decoded > DECODED_TARGET or weight.wire > WIRE_TARGET
    }
    assert not over, over
