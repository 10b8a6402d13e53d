"""Malformed bot statuses and hostile text from the bot or the database: shown, explained and
inert, while everything else keeps showing."""

from __future__ import annotations

import codecs
import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from dash import no_update

from callbacks import history as history_callbacks
from callbacks import market as market_callbacks
from callbacks import shell as shell_callbacks
from dashboard.app import build_services, create_app
from dashboard.extensions import services_of
from data.database import Backend
from simulator.seeding import create_schema, insert_rows, write_history
from simulator.synthetic import generate_history
from simulator.writer import WritableDatabase
from tests.support.components import by_attribute, text
from tests.support.helpers import make_settings
from tests.support.live import LiveServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMAGE = "<img src=x onerror=\"window.__pwned = 'img'\">"
LINK = "javascript:window.__pwned='link'"


def good_status(symbol: str) -> str:
    return json.dumps(
        {
            "timestamp": datetime.now(UTC).isoformat(),
            "symbol": symbol,
            "current_price": 100.0,
            "indicators": {"rsi": 50.0},
            "position": {"has_position": False},
            "action": "HOLD",
            "reason": "fine",
        }
    )


def bad_status(kind: str) -> str:
    now = datetime.now(UTC)
    base = json.loads(good_status("KRW-BTC"))
    if kind == "not json":
        return "{'action': HOLD"
    if kind == "wrong types":
        return json.dumps(dict(base, current_price="100", indicators="rsi=50"))
    if kind == "nan":
        return json.dumps(base).replace("100.0", "NaN")
    if kind == "infinity":
        return json.dumps(base).replace("100.0", "Infinity")
    if kind == "ten megabytes":
        return "x" * (10 * 1024 * 1024)
    if kind == "empty action":
        return json.dumps(dict(base, action=""))
    if kind == "year one timestamp":  # before year 1 once in UTC: no datetime holds it
        return json.dumps(dict(base, timestamp="0001-01-01T00:00:00+14:00"))
    if kind == "naive timestamp":
        return json.dumps(dict(base, timestamp=now.replace(tzinfo=None).isoformat()))
    if kind == "future timestamp":
        return json.dumps(dict(base, timestamp=(now + timedelta(hours=2)).isoformat()))
    raise AssertionError(kind)


REASONS = {
    "not json": "not valid JSON",
    "wrong types": "expected a number",
    "nan": "NaN is not a valid JSON number",
    "infinity": "Infinity is not a valid JSON number",
    "ten megabytes": "10,485,760 bytes",
    "empty action": "'action' is an empty string",
    "year one timestamp": "out of range",
    "naive timestamp": "no time zone",
    "future timestamp": "in the future",
}


@pytest.mark.parametrize("kind", list(REASONS))
def test_a_malformed_status_is_explained_and_other_symbols_still_show(seeded_pg_url, redis_db, redis_client, kind):
    services = build_services(make_settings(seeded_pg_url, redis_db))
    redis_client.set("bot:status:KRW-BTC", bad_status(kind))
    redis_client.set("bot:status:KRW-ETH", good_status("KRW-ETH"))
    brain = market_callbacks.bot_brain_panel(services, "KRW-BTC")
    assert "Invalid status payload" in text(brain) and REASONS[kind] in text(brain)
    table, _ = market_callbacks.status_overview(services, "KRW-BTC")
    states = {n["props"]["data-symbol"]: n["props"]["data-state"] for n in by_attribute(table, "data-state")}
    assert states["KRW-BTC"] == "invalid" and states["KRW-ETH"] == "ok"
    services.database.dispose()


def test_a_status_for_a_symbol_without_candles_is_flagged(seeded_pg_url, redis_db, redis_client):
    services = build_services(make_settings(seeded_pg_url, redis_db))
    redis_client.set("bot:status:KRW-GHOST", good_status("KRW-GHOST"))
    table, _ = market_callbacks.status_overview(services, "KRW-BTC")
    ghost = by_attribute(table, "data-symbol", "KRW-GHOST")
    assert ghost and ghost[0]["props"]["data-state"] == "invalid" and "no candles" in text(ghost)
    services.database.dispose()


@pytest.fixture
def hostile_database(postgres, redis_db):
    """A seeded database whose text columns hold markup and script."""
    url = postgres.create("cp_hostile")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    now = datetime.now(UTC)
    write_history(writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC"], 1, now, seed=2))
    order_id = uuid.uuid4()
    with writer.engine.begin() as conn:
        insert_rows(
            conn,
            [
                {
                    "id": order_id,
                    "symbol": "KRW-BTC",
                    "side": "BUY",
                    "order_type": "LIMIT",
                    "price": 1.0,
                    "quantity": 1.0,
                    "fee": 0.0,
                    "status": "CANCELLED",
                    "strategy_name": IMAGE[:50],
                    "signal_info": {"reason": SCRIPT},
                    "created_at": now,
                    "executed_at": None,
                }
            ],
            [
                {
                    "violation_type": "<b>BOLD</b>",
                    "description": SCRIPT + IMAGE + LINK,
                    "related_order_id": order_id,
                    "timestamp": now,
                }
            ],
            [
                {
                    "symbol": "KRW-BTC",
                    "strategy_name": "x",
                    "decision": "REJECT",
                    "reasoning": LINK + " " + IMAGE,
                    "confidence": 50,
                    "model_used": SCRIPT[:100],
                    "created_at": now,
                }
            ],
        )
    writer.dispose()
    return url


@pytest.mark.browser
def test_markup_from_the_bot_or_the_database_is_shown_as_inert_text(hostile_database, redis_db, redis_client, watched):
    redis_client.set(
        "bot:status:KRW-BTC", json.dumps(dict(json.loads(good_status("KRW-BTC")), reason=SCRIPT + IMAGE + LINK))
    )
    app = create_app(make_settings(hostile_database, redis_db))
    with LiveServer(app.server) as server:
        page = watched("hostile-text")
        # Each page, what marks it loaded, and where its row with the markup is shown.
        for path, marker, shown, expected in (
            ("/market?symbol=KRW-BTC", "[data-brain-field='reason']", "[data-brain-field='reason']", "__pwned"),
            ("/risk", "#risk-audit-grid .ag-row", "#risk-audit-grid", "__pwned"),
            # The grid shows no strategy column: the cancelled order's row is what there is to see.
            (
                "/history?status=CANCELLED",
                "#history-grid .ag-row",
                "#history-grid .ag-row [col-id='symbol']",
                "KRW-BTC",
            ),
            ("/system", "#system-audit .ag-row", "#system-audit", "__pwned"),
        ):
            page.page.goto(server.url + path)
            page.page.wait_for_selector(marker, timeout=20_000)
            page.wait_for_text(shown, lambda t, expected=expected: expected in t, timeout=20)
            # Once the network is idle, the failing <img src=x> request, which would fire
            # onerror if the markup were live, has long finished.
            page.page.wait_for_load_state("networkidle")
            assert page.page.evaluate("() => window.__pwned") is None, path
            assert page.page.locator("a[href^='javascript:']").count() == 0
            assert (
                page.page.evaluate("() => [...document.scripts].some(s => s.textContent.includes('__pwned'))") is False
            )
        page.page.goto(server.url + "/market?symbol=KRW-BTC")
        reason = page.wait_for_text("[data-brain-field='reason']", lambda t: "__pwned" in t)
        assert SCRIPT in reason and LINK in reason  # the text itself is shown, literally
        page.screenshot("market")
    services_of(app.server).database.dispose()


def test_a_year_one_status_timestamp_leaves_the_status_strip_working(seeded_pg_url, redis_db, redis_client):
    services = build_services(make_settings(seeded_pg_url, redis_db))
    redis_client.set("bot:status:KRW-BTC", bad_status("year one timestamp"))
    items, _updated = shell_callbacks.status_strip(services)
    strip = " ".join(text(items).split())
    assert "Redis: reachable" in strip and "Bot status: KRW-BTC: invalid payload" in strip
    assert "error" not in strip.lower()
    services.database.dispose()


@pytest.mark.parametrize("kind", ["not json", "ten megabytes", "year one timestamp"])
def test_an_unusable_payload_is_labelled_invalid_in_the_status_table_not_redis_down(
    seeded_pg_url, redis_db, redis_client, kind
):
    services = build_services(make_settings(seeded_pg_url, redis_db))
    redis_client.set("bot:status:KRW-BTC", bad_status(kind))
    table = market_callbacks.status_table_panel(services, ["KRW-BTC"])
    row = text(by_attribute(table, "data-symbol", "KRW-BTC"))
    assert "invalid" in row and "Redis down" not in row
    services.database.dispose()


# The probe's CSV payloads, one per text column: each would run as a formula in a spreadsheet.
FORMULAS = {
    "symbol": "=cmd|'/C calc'!A0",
    "side": "@SUM(1)",
    "order_type": "+1+1",
    "status": "-1+1",
    "strategy_name": "\t=1+1",
    "regime": "\r=1",
    "exit_reason": "=HYPERLINK(1)",
}
KOREAN_STRATEGY = "평균회귀 전략"


@pytest.fixture(scope="module")
def hostile_trades_url(postgres):
    """Trades whose text columns hold formulas, and one with a Korean strategy name."""
    url = postgres.create("cp_hostile_csv")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL)
    now = datetime.now(UTC)
    write_history(writer.engine, Backend.POSTGRESQL, generate_history(["KRW-BTC"], 1, now, seed=4))
    base = {"price": 1.0, "quantity": 1.0, "fee": 0.0, "signal_info": None, "executed_at": None, "created_at": now}
    with writer.engine.begin() as conn:
        insert_rows(
            conn,
            [
                dict(base, id=uuid.uuid4(), **FORMULAS),
                dict(
                    base,
                    id=uuid.uuid4(),
                    symbol="KRW-BTC",
                    side="BUY",
                    order_type="LIMIT",
                    status="CANCELLED",
                    strategy_name=KOREAN_STRATEGY,
                    regime=None,
                    exit_reason=None,
                ),
            ],
            [],
            [],
        )
    writer.dispose()
    return url


def _exported_rows(url, redis_db) -> tuple[str, list[dict]]:
    services = build_services(make_settings(url, redis_db))
    download, message = history_callbacks.export_download(services, None, None, None, None, None)
    services.database.dispose()
    assert message is no_update, text(message)
    content = download["content"]
    return content, list(csv.DictReader(io.StringIO(content.encode("utf-8").decode("utf-8-sig"))))


def test_every_text_cell_of_the_csv_export_is_defused(hostile_trades_url, redis_db):
    _content, rows = _exported_rows(hostile_trades_url, redis_db)
    hostile = next(r for r in rows if r["symbol"].endswith(FORMULAS["symbol"]))
    for column, formula in FORMULAS.items():
        assert hostile[column] == "'" + formula, column  # written as text, the value kept


def test_the_csv_export_opens_in_excel_with_korean_text(hostile_trades_url, redis_db):
    content, rows = _exported_rows(hostile_trades_url, redis_db)
    # Excel reads a CSV as the local code page (CP949 in Korea) unless it starts with a UTF-8 BOM.
    assert content.encode("utf-8").startswith(codecs.BOM_UTF8)
    assert KOREAN_STRATEGY in {r["strategy_name"] for r in rows}
