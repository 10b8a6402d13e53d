"""The Bot Brain reader against the real Redis: one round trip, both symbol forms, bad values."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from data.status_payload import MAX_PAYLOAD_BYTES, ProblemKind, StatusState
from data.status_reader import BotStatusReader, make_redis_client
from tests.support.faults import TcpProxy
from tests.support.services import free_port

pytestmark = pytest.mark.redis

NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def status(symbol="KRW-BTC", seconds_ago=10, **extra):
    body = {
        "timestamp": (NOW - timedelta(seconds=seconds_ago)).isoformat(),
        "symbol": symbol,
        "current_price": 100.0,
        "indicators": {"rsi": 50.0},
        "position": {"has_position": False},
        "action": "HOLD",
        "reason": "wait",
    }
    body.update(extra)
    return json.dumps(body)


@pytest.fixture
def reader(redis_client, redis_db):
    return BotStatusReader(make_redis_client(redis_db, 1.0), lambda: NOW)


def test_statuses_of_all_symbols_come_in_one_round_trip(reader, redis_client):
    redis_client.set("bot:status:KRW-BTC", status())
    redis_client.set("bot:status:KRW-ETH", status("KRW-ETH", 200))
    sent = []
    original = reader.client.pipeline

    def counting_pipeline(*args, **kwargs):
        pipe = original(*args, **kwargs)
        execute = pipe.execute
        pipe.execute = lambda *a, **k: sent.append(len(pipe.command_stack)) or execute(*a, **k)
        return pipe

    reader.client.pipeline = counting_pipeline
    snapshot = reader.read(["KRW-BTC", "KRW-ETH", "KRW-XRP"])
    assert len(sent) == 1  # one pipeline, one network round trip
    assert snapshot.readings["KRW-BTC"].state is StatusState.OK
    assert snapshot.readings["KRW-ETH"].stale
    assert snapshot.readings["KRW-XRP"].state is StatusState.MISSING


def test_a_status_stored_under_the_reversed_symbol_is_found(reader, redis_client):
    redis_client.set("bot:status:BTC-KRW", status("BTC-KRW"))
    reading = reader.read(["KRW-BTC"]).readings["KRW-BTC"]
    assert reading.state is StatusState.OK and reading.key == "bot:status:BTC-KRW"


def test_a_hash_under_the_key_is_a_wrong_type(reader, redis_client):
    redis_client.hset("bot:status:KRW-BTC", "action", "HOLD")
    reading = reader.read(["KRW-BTC"]).readings["KRW-BTC"]
    assert reading.state is StatusState.INVALID and ProblemKind.WRONG_TYPE in reading.problem_kinds


def test_a_ten_megabyte_value_is_refused_without_reading_it(redis_client, redis_db):
    size = 10 * 1024 * 1024
    redis_client.set("bot:status:KRW-BTC", "x" * size)
    target = urlsplit(redis_db)
    # The reader talks to Redis through a proxy that counts what Redis sent back.
    with TcpProxy(target.hostname, target.port) as proxy:
        url = target._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
        reader = BotStatusReader(make_redis_client(url, 5.0), lambda: NOW)
        reading = reader.read(["KRW-BTC"]).readings["KRW-BTC"]
        received = proxy.bytes_from_server
    assert ProblemKind.TOO_LARGE in reading.problem_kinds
    assert f"payload is {size:,} bytes" in reading.problem_summary
    # At most the size limit's first bytes (64 KiB) plus replies to the other commands.
    assert received < 2 * MAX_PAYLOAD_BYTES, f"{received:,} bytes came from Redis for one status"


def test_a_status_for_a_symbol_without_candles_is_reported(reader, redis_client):
    redis_client.set("bot:status:KRW-GHOST", status("KRW-GHOST"))
    snapshot = reader.read(["KRW-BTC"], include_unknown=True)
    ghost = snapshot.unknown_symbol_readings["KRW-GHOST"]
    assert ghost.state is StatusState.INVALID and "no candles" in ghost.problem_summary


def test_volatility_and_regime_are_read_when_present(reader, redis_client):
    redis_client.set("bot:status:KRW-BTC", status())
    redis_client.set("market:regime:KRW-BTC", json.dumps({"regime": "BULL"}))
    redis_client.set(
        "coinpilot:volatility_state",
        json.dumps({"current_volatility": 0.031, "is_high_volatility": True, "timestamp": NOW.isoformat()}),
    )
    snapshot = reader.read(["KRW-BTC"])
    assert snapshot.readings["KRW-BTC"].regime == {"regime": "BULL"}
    assert snapshot.volatility.is_high_volatility is True and snapshot.volatility.current_volatility == 0.031


def test_a_refused_connection_is_reported_quickly_for_every_symbol():
    reader = BotStatusReader(make_redis_client(f"redis://127.0.0.1:{free_port()}/0", 1.0), lambda: NOW)
    started = time.perf_counter()
    snapshot = reader.read(["KRW-BTC", "KRW-ETH"])
    assert time.perf_counter() - started < 2.0
    assert snapshot.redis_error and "unreachable" in str(snapshot.redis_error)
    assert {r.state for r in snapshot.readings.values()} == {StatusState.REDIS_UNAVAILABLE}


def test_when_both_symbol_forms_have_a_status_the_fresher_one_wins(reader, redis_client):
    # The primary form left over from before the bot switched forms: 10 minutes old.
    redis_client.set("bot:status:KRW-BTC", status("KRW-BTC", 600))
    redis_client.set("bot:status:BTC-KRW", status("BTC-KRW", 5))
    reading = reader.read(["KRW-BTC"]).readings["KRW-BTC"]
    assert reading.key == "bot:status:BTC-KRW" and reading.age_s == 5 and not reading.stale


def test_when_the_reversed_status_is_older_the_primary_one_still_wins(reader, redis_client):
    redis_client.set("bot:status:KRW-BTC", status("KRW-BTC", 5))
    redis_client.set("bot:status:BTC-KRW", status("BTC-KRW", 600))
    reading = reader.read(["KRW-BTC"]).readings["KRW-BTC"]
    assert reading.key == "bot:status:KRW-BTC" and reading.age_s == 5


def test_a_regime_stored_under_the_reversed_symbol_is_found(reader, redis_client):
    redis_client.set("bot:status:KRW-BTC", status())
    redis_client.set("market:regime:BTC-KRW", json.dumps({"regime": "BEAR"}))
    assert reader.read(["KRW-BTC"]).readings["KRW-BTC"].regime == {"regime": "BEAR"}
