"""The status strip, the Alerts page, the data layer's sentences about Redis, bot statuses and
n8n, and the refused-input messages read in Korean: no English words left, and the words a
Korean operator expects."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import redis

from alerts.compose import compose
from alerts.engine import Event, EventKind, RuleState, State
from alerts.state import AlertSnapshot, ChannelReport, HistoryEntry, Silence, WatcherInfo
from callbacks import alerts as alerts_callbacks
from callbacks import inputs
from callbacks import shell as shell_callbacks
from data.database import DatabaseUnreachable
from data.freshness import StatusStanding, WorstCandle, WorstStatus
from data.guardrail_payload import parse_counter, parse_hold
from data.health import check_n8n
from data.risk import TradingState
from data.status_payload import TooLarge, WrongRedisType, parse_volatility, validate_payload
from data.status_reader import RedisUnavailable, redis_error_message
from i18n import using
from layouts import alerts as alerts_layout
from layouts import shell
from tests.support.components import english_words, text

SEOUL = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
# Words the pages quote as the operator types or reads them elsewhere: the watcher's command
# and its systemd unit, a host name, and the JSON spellings of a payload's fields.
QUOTED = frozenset({"coinpilot", "dashboard", "watch", "silence", "deploy", "service", "alerts", "pid", "for"})


@pytest.fixture(autouse=True)
def korean():
    with using(language="ko"):
        yield


def strip_items() -> list:
    """Every kind of status-strip entry, in each state it can be in."""
    return [
        *[shell.trading_state_item(state, 1800.0) for state in TradingState],
        shell.trading_state_item(None, 0.0),
        shell.candle_item(None, 0, 120.0),
        shell.candle_item(WorstCandle("KRW-BTC", None), 2, 120.0, ["KRW-ETH"]),
        shell.candle_item(WorstCandle("KRW-BTC", 400.0), 3, 120.0),
        shell.candle_item(WorstCandle("KRW-BTC", 30.0), 1, 120.0),
        shell.bot_status_item(None, 120.0),
        *[shell.bot_status_item(WorstStatus("KRW-BTC", standing, 300.0, 1, 2), 120.0) for standing in StatusStanding],
        alerts_layout.strip_link(0, "", False),
        alerts_layout.strip_link(2, "", True),
        alerts_layout.strip_link(0, "", True),
    ]


def test_the_status_strip_reads_in_korean():
    items = strip_items()
    assert english_words(items) == set()
    assert "거래: " in text(items[0]) and "일일 거래 한도 도달" in text(items[1])
    assert "쿨다운 (30분 0초 남음)" in text(items[2])


def test_the_strip_tooltips_read_in_korean():
    tips = [item.title for item in strip_items()[:4]]
    assert (
        all(tips)
        and english_words([{"props": {"title": tip}, "type": "Span", "namespace": "x"} for tip in tips]) == set()
    )


def _refuse_database():
    raise DatabaseUnreachable("down")


def _refuse_redis():
    raise RedisUnavailable(redis_error_message(redis.TimeoutError(), "127.0.0.1:6379"))


# A services object whose database and Redis are down.
_Unreachable = SimpleNamespace(
    watched_symbols=("KRW-BTC",),
    database=SimpleNamespace(connect=_refuse_database),
    bot_status=SimpleNamespace(stale_after_s=120, discover_symbols=_refuse_redis),
)


def test_the_strip_says_in_korean_what_is_unreachable():
    shown = [
        *shell_callbacks.database_items(_Unreachable, {"symbols": []}),
        *shell_callbacks.redis_items(_Unreachable, {"symbols": []}),
        shell_callbacks.candle_item(_Unreachable, None, [], AT),
        shell_callbacks.bot_status_item(None, [], 120.0),
    ]
    assert english_words(shown) == set()
    assert text(shown[0]).split() == ["데이터베이스:", "연결", "불가"]


def rule(key: str, rule_name: str, state: State, value_key: str, value_args: dict, rule_args=None, subject=None):
    return RuleState(
        key=key,
        rule=rule_name,
        subject=subject,
        state=state,
        since=AT,
        value_key=value_key,
        value_args=value_args,
        rule_args=rule_args or {},
        page="/market",
        evaluated_at=AT,
        unknown=state is State.PENDING,
    )


class _Reader:
    path = "/var/lib/coinpilot/alert-state/alerts.sqlite3"

    def __init__(self, snapshot):
        self.snapshot = snapshot

    def read(self):
        return self.snapshot


class _Services:
    display_timezone = SEOUL


def snapshot(alive: bool = True) -> AlertSnapshot:
    now = time.time()
    seen = now if alive else now - 3600
    return AlertSnapshot(
        exists=True,
        rules=[
            rule("bot_status_stale:KRW-BTC", "bot_status_stale", State.FIRING, "value.missing", {}, subject="KRW-BTC"),
            rule(
                "daily_loss:50",
                "daily_loss",
                State.PENDING,
                "value.pct_of_limit",
                {"pct": 61.0, "pnl": -61000, "limit": 100000},
                {"threshold": 50},
            ),
            rule(
                "ai_budget",
                "ai_budget",
                State.OK,
                "value.budget",
                {"pct": 40, "used": 4, "limit": 10, "window": "hour"},
                {"threshold": 80},
            ),
        ],
        history=[HistoryEntry(AT.isoformat(), "bot_status_stale:KRW-BTC", State.PENDING, State.FIRING)],
        watchers=[WatcherInfo("host-a", 4242, "sender", seen - 60, seen, seen - 5, 30.0, "timeout")],
        channels=[ChannelReport("generic-1", 3, 1, 1, seen - 10, "HTTP 500")],
        silences=[Silence("candle_stale", now + 3600)],
    )


def alerts_page(snap: AlertSnapshot) -> list:
    return [alerts_layout.page(), *alerts_callbacks.alerts_panels(_Reader(snap), _Services, lambda p: p)]


def test_the_alerts_page_reads_in_korean():
    shown = alerts_page(snapshot())
    # The host, channel name and last error are the watcher's own records, shown as written.
    assert english_words(shown, QUOTED | {"host", "a", "generic", "HTTP", "timeout"}) == set()
    assert "경보 발생" in text(shown[2]) and "봇 상태 없음 또는 오래됨" in text(shown[2])
    assert "알림 감시 프로세스" in text(shown[1])


def test_the_alerts_page_reads_in_korean_without_a_watcher():
    stopped = alerts_page(snapshot(alive=False))[1]
    missing = alerts_callbacks.watcher_panel(AlertSnapshot(exists=False), _Reader(None), SEOUL, time.time())
    empty = [
        alerts_layout.rules_table([]),
        alerts_layout.history_table([]),
        alerts_layout.silences_list([]),
        alerts_layout.channels_list([]),
    ]
    assert (
        english_words([stopped, missing, *empty], QUOTED | {"var", "lib", "alert", "state", "sqlite3", "RULE", "h"})
        == set()
    )
    assert "실행 중인 알림 감시 프로세스가 없습니다" in text(stopped)


def test_the_alerts_page_follows_the_browser_not_the_watcher():
    with using(language="en"):
        english = alerts_page(snapshot())[2]
    assert "Bot status missing or stale" in text(english)


def test_the_strip_without_a_watcher_is_neutral_not_amber():
    children = alerts_layout.strip_link(0, "", False)
    assert children[0].className == "dot dot-off"


def test_the_watcher_writes_in_the_language_it_is_given():
    state = rule(
        "bot_status_stale:KRW-BTC", "bot_status_stale", State.FIRING, "value.age", {"age_s": 200}, subject="KRW-BTC"
    )
    with using(language="en"):
        message = compose(Event(EventKind.FIRING, state, AT), "ko", SEOUL, None)
    assert message["text"].splitlines()[:2] == ["🔴 경보 발생: 봇 상태 없음 또는 오래됨: KRW-BTC", "값: 3분 지남"]


BAD_PAYLOADS = [
    b"",
    b"not json",
    b"[1]",
    b'{"x": NaN}',
    b'{"action": 3, "timestamp": "yesterday", "symbol": "KRW-ETH", "current_price": -1,'
    b' "indicators": {"rsi": 300}, "position": {"has_position": "yes"}, "reason": 5}',
    b'{"action": "", "timestamp": 5, "symbol": 7, "indicators": [], "position": []}',
    b'{"action": "HOLD", "timestamp": "2026-03-05T03:00:00", "symbol": "KRW-BTC"}',
    b'{"action": "HOLD", "timestamp": "2099-03-05T03:00:00+00:00", "symbol": "KRW-BTC"}',
]


def test_the_bot_status_problems_read_in_korean():
    readings = [validate_payload("KRW-BTC", "bot:status:KRW-BTC", raw, AT, 120) for raw in BAD_PAYLOADS]
    readings += [
        validate_payload("KRW-BTC", "k", WrongRedisType("hash"), AT, 120),
        validate_payload("KRW-BTC", "k", TooLarge(70_000), AT, 120),
    ]
    sentences = [r.problem_summary for r in readings]
    volatility = [
        parse_volatility(raw).problem
        for raw in (b"x", b"[1]", b'{"is_high_volatility": 1, "timestamp": "2026-03-05T03:00:00"}')
    ]
    shown = [{"props": {"children": s}, "type": "P", "namespace": "x"} for s in [*sentences, *map(str, volatility)]]
    # Field names are quoted as the bot writes them in its JSON.
    fields = frozenset(
        {
            "action",
            "timestamp",
            "symbol",
            "current_price",
            "indicators",
            "rsi",
            "position",
            "has_position",
            "reason",
            "is_high_volatility",
            "coinpilot",
            "volatility_state",
            "true",
            "false",
            "null",
            "bot",
            "status",
            "hash",
            "NaN",
            "yesterday",
        }
    )
    assert english_words(shown, fields) == set()
    assert "'action' 필드가 없습니다" in validate_payload("KRW-BTC", "k", b"{}", AT, 120).problem_summary


def test_redis_guardrail_and_n8n_sentences_read_in_korean():
    sentences = [
        redis_error_message(redis.TimeoutError(), "127.0.0.1:6379"),
        parse_counter("ai:guard:error_streak", b"oops")[1],
        parse_counter("ai:guard:error_streak", WrongRedisType("set"))[1],
        parse_counter("ai:guard:error_streak", TooLarge(5000))[1],
        parse_hold("ai:guard:global:block", type("Raw", (), {"value": WrongRedisType("list"), "pttl_ms": 5})(), 1.0)[1],
        check_n8n(None, 1.0).message,
    ]
    shown = [{"props": {"children": str(s)}, "type": "P", "namespace": "x"} for s in sentences]
    assert (
        english_words(shown, frozenset({"ai", "guard", "error_streak", "global", "block", "oops", "set", "list"}))
        == set()
    ), [str(s) for s in sentences]
    assert "에 연결할 수 없습니다" in str(sentences[0])


@pytest.mark.parametrize(
    "refuse",
    [
        lambda: inputs.integer("x", "look-back days", 1, 90),
        lambda: inputs.integer(500, "candle count", 10, 300),
        lambda: inputs.day("2026-13-40", "start date"),
        lambda: inputs.date_range_utc("2026-03-05", "2026-03-01"),
        lambda: inputs.symbol("KRW-DOGE", ["KRW-BTC"]),
        lambda: inputs.width("7m"),
        lambda: inputs.one_of("week", ("hour", "day"), "bucket"),
        lambda: inputs.rows_request({"startRow": 0, "endRow": 5000}),
    ],
)
def test_a_refused_input_is_explained_in_korean(refuse):
    with pytest.raises(inputs.InvalidInput) as refused:
        refuse()
    shown = {"props": {"children": str(refused.value)}, "type": "P", "namespace": "x"}
    # The refused value is echoed as sent (x, week), candle widths by their codes (1m, 4h, 1d,
    # 1w), and the table a symbol was looked up in is named.
    echoed = frozenset({"market_data", "x", "m", "h", "d", "w", "week", "hour", "day"})
    assert english_words(shown, echoed) == set(), str(refused.value)


def test_a_refused_look_back_names_the_field_in_korean():
    with pytest.raises(inputs.InvalidInput) as refused:
        inputs.integer(500, "look-back days", 1, 90)
    assert str(refused.value) == "조회 기간(일)은 1에서 90 사이여야 합니다 (받은 값: 500)"
