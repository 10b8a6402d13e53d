"""Write test bot statuses into Redis, to see the Bot Brain without a bot.

    coinpilot-dashboard bot-status KRW-BTC KRW-ETH --action BUY --rsi 27.5
    coinpilot-dashboard bot-status --action "HOLD (POS)" --regime BULL KRW-BTC
    coinpilot-dashboard bot-status KRW-BTC --week6              # the week-6 payload
    coinpilot-dashboard bot-status KRW-BTC --age 600            # a stale status
    coinpilot-dashboard bot-status KRW-BTC --malformed nan      # the "invalid payload" state
    coinpilot-dashboard bot-status --clear                      # remove what this tool wrote

(also `python scripts/test_bot_status.py ...`). v3 payloads are built as the v3 bot's writer builds
them (simulator.status_writer: hwm 0.0 without a position, an empty reason with a BUY, a SKIP's
reason in its family's form), week-6 ones with --week6; the bot's 5-minute TTL. A status that a running bot wrote less than 5 minutes ago is
not overwritten unless --force is given; --clear removes only keys still holding what this
tool wrote, so it never deletes the bot's own status.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis

from data.status_payload import ACTIONS
from data.status_reader import STATUS_KEY_PREFIX, make_redis_client
from data.symbols import alternate_symbol, is_valid_symbol_format
from simulator import status_writer
from simulator.regime import REGIMES
from simulator.synthetic import profile_for

BOT_TTL_S = 300
# Keys this tool wrote and the exact payload it wrote there (for --clear and the overwrite check).
REGISTRY_KEY = "coinpilot-dashboard:test-bot-status"
MALFORMED_KINDS = (
    "not-json",
    "wrong-types",
    "missing-fields",
    "nan",
    "unknown-action",
    "naive-time",
    "future-time",
    "huge",
)
DEFAULT_REASONS = {
    "HOLD": "관망 중: RSI({rsi:.1f}) > 30 (과매도 아님)",
    "HOLD (POS)": "보유 중: 수익률 {pnl_pct:+.2f}%",
    "BUY": "매수: RSI({rsi:.1f}) < 30, 종가가 볼린저 하단 아래",
    "SELL": "매도: RSI({rsi:.1f}) > 70 과매수",
    "SKIP": "매수 신호 거절(AI 검토): RSI({rsi:.1f}) < 30",
    "WAITING": "데이터 수집 중: 지표 계산에 필요한 캔들이 부족합니다",
}
HOLDING_ACTIONS = ("HOLD (POS)", "SELL")  # the actions of a bot that holds the symbol
# The v3 writer's reasons per action: a BUY writes none, a SKIP one of its families (Risk Rejected
# here), a SELL that went through says so (the position is gone by the status write).
V3_REASONS = {
    "HOLD": lambda regime, rsi, pnl: status_writer.hold_reason(regime, f"RSI {rsi:.1f}: 진입 조건 미충족"),
    "HOLD (POS)": lambda regime, rsi, pnl: status_writer.hold_position_reason(regime, pnl, -0.5),
    "BUY": lambda regime, rsi, pnl: "",
    "SELL": lambda regime, rsi, pnl: status_writer.sell_done_reason(regime, "TAKE_PROFIT"),
    "SKIP": lambda regime, rsi, pnl: status_writer.risk_rejected_reason("일일 최대 거래 횟수(6회) 도달"),
}
ENTRY_DISCOUNT = 0.97  # the made-up position's average price: 3 % under the current price
# Deletes the key only while it still holds what this tool wrote.
_COMPARE_AND_DELETE = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"
)


def build_payload(
    symbol: str,
    action: str,
    rsi: float,
    price: float | None,
    reason: str | None,
    age_s: float,
    now: datetime,
    *,
    week6: bool = False,
    regime: str = "SIDEWAYS",
) -> dict:
    price = price if price is not None else profile_for(symbol)[0]
    at = now - timedelta(seconds=age_s)
    pnl_pct = round((1 / ENTRY_DISCOUNT - 1) * 100, 2)
    if not week6:
        if action == "WAITING":
            payload = status_writer.waiting_status(symbol, at, 12)
            return payload | ({"reason": reason} if reason is not None else {})
        known = V3_REASONS.get(action)
        default = known(regime, rsi, pnl_pct) if known else ""
        held = status_writer.HeldPosition(round(price * ENTRY_DISCOUNT, 2), 0.01, regime)
        return status_writer.v3_status(
            symbol,
            at,
            price=price,
            regime=regime,
            rsi=rsi,
            ma_trend=round(price * 0.98, 2),
            action=action,
            reason=reason if reason is not None else default,
            position=held if action == "HOLD (POS)" else None,
            # An exit check ran: the position's high-water mark (a SELL's is the closed position's).
            new_hwm=round(price * 1.005, 2) if action in HOLDING_ACTIONS else None,
        )
    timestamp = at.isoformat(timespec="milliseconds")
    reason = reason if reason is not None else DEFAULT_REASONS[action].format(rsi=rsi, pnl_pct=pnl_pct)
    if action == "WAITING":
        return {"timestamp": timestamp, "symbol": symbol, "indicators": {}, "action": action, "reason": reason}
    holding = action in HOLDING_ACTIONS
    return {
        "timestamp": timestamp,
        "symbol": symbol,
        "current_price": price,
        "indicators": {
            "rsi": rsi,
            "bb_upper": round(price * 1.01, 2),
            "bb_lower": round(price * 0.99, 2),
            "ma_200": round(price * 0.98, 2),
        },
        "position": {
            "has_position": holding,
            "avg_price": round(price * ENTRY_DISCOUNT, 2) if holding else None,
            "quantity": 0.01 if holding else None,
        },
        "action": action,
        "reason": reason,
    }


def malformed_payload(kind: str, good: dict, now: datetime) -> str:
    if kind == "not-json":
        return "{'action': 'HOLD', this is not JSON"
    if kind == "wrong-types":
        return json.dumps(dict(good, current_price=str(good.get("current_price")), indicators="rsi=45"))
    if kind == "missing-fields":
        return json.dumps({"symbol": good["symbol"], "reason": "no action and no timestamp"})
    if kind == "nan":
        return json.dumps(dict(good, current_price=float("nan")))  # json.dumps writes NaN, which JSON forbids
    if kind == "unknown-action":
        return json.dumps(dict(good, action="MOON"))
    if kind == "naive-time":
        return json.dumps(dict(good, timestamp=now.replace(tzinfo=None).isoformat()))
    if kind == "future-time":
        return json.dumps(dict(good, timestamp=(now + timedelta(hours=1)).isoformat()))
    if kind == "huge":
        return json.dumps(dict(good, reason="x" * (1024 * 1024)))
    raise ValueError(kind)


def written_by_bot_recently(raw: bytes | None, registry_value: bytes | None, now: datetime) -> bool:
    """True when the key holds a status this tool did not write, stamped within 5 minutes."""
    if raw is None or raw == registry_value:
        return False
    try:
        stamp = datetime.fromisoformat(json.loads(raw)["timestamp"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return False  # not a status the bot could have written
    if stamp.tzinfo is None:
        return False
    return now - stamp < timedelta(seconds=BOT_TTL_S)


def write(client: redis.Redis, symbols: list[str], args, now: datetime) -> int:
    refused = []
    for symbol in symbols:
        key = STATUS_KEY_PREFIX + (alternate_symbol(symbol) if args.reversed_key else symbol)
        payload = build_payload(
            symbol, args.action, args.rsi, args.price, args.reason, args.age, now, week6=args.week6, regime=args.regime
        )
        text = (
            malformed_payload(args.malformed, payload, now)
            if args.malformed
            else json.dumps(payload, ensure_ascii=False)
        )
        if not args.force and written_by_bot_recently(client.get(key), client.hget(REGISTRY_KEY, key), now):
            refused.append(key)
            continue
        pipe = client.pipeline(transaction=True)
        pipe.set(key, text, ex=args.ttl)
        pipe.hset(REGISTRY_KEY, key, text)
        pipe.execute()
        shown = "malformed (" + args.malformed + ")" if args.malformed else f"{args.action}, {args.age:g} s old"
        print(f"wrote {key}: {shown}, expires in {args.ttl} s")
    for key in refused:
        print(
            f"refused {key}: a running bot wrote it less than {BOT_TTL_S // 60} minutes ago (use --force)",
            file=sys.stderr,
        )
    return 1 if refused else 0


def clear(client: redis.Redis) -> int:
    removed = 0
    for key, value in client.hgetall(REGISTRY_KEY).items():
        removed += int(client.eval(_COMPARE_AND_DELETE, 1, key, value))
        client.hdel(REGISTRY_KEY, key)
    print(f"removed {removed} test status key(s)")
    return 0


DESCRIPTION = __doc__.split("\n\n")[0]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coinpilot-dashboard bot-status", description=DESCRIPTION)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The tool's options, on its own parser or on the `coinpilot-dashboard bot-status` subcommand."""
    parser.add_argument("symbols", nargs="*", default=["KRW-BTC"], help="market codes (default KRW-BTC)")
    parser.add_argument("--action", choices=ACTIONS, default="HOLD", help="one of: " + ", ".join(ACTIONS))
    parser.add_argument("--regime", choices=REGIMES, default="SIDEWAYS", help="the v3 regime (default SIDEWAYS)")
    parser.add_argument("--week6", action="store_true", help="write the week-6 payload (bb_upper/bb_lower/ma_200)")
    parser.add_argument("--rsi", type=float, default=45.2)
    parser.add_argument("--price", type=float, help="current price (default: a typical price for the symbol)")
    parser.add_argument("--reason", help="the reasoning text (default: the bot's wording for the action)")
    parser.add_argument("--age", type=float, default=0.0, help="seconds in the past for the timestamp (> 120 is stale)")
    parser.add_argument("--malformed", choices=MALFORMED_KINDS, help="write a deliberately invalid payload")
    parser.add_argument("--reversed-key", action="store_true", help="write under BTC-KRW instead of KRW-BTC")
    parser.add_argument(
        "--ttl", type=int, default=BOT_TTL_S, help=f"seconds until the key expires (the bot's: {BOT_TTL_S})"
    )
    parser.add_argument("--force", action="store_true", help="overwrite a status a running bot wrote recently")
    parser.add_argument("--clear", action="store_true", help="remove the statuses this tool wrote")
    parser.add_argument("--redis-url", help="default: REDIS_URL or REDIS_HOST/REDIS_PORT, as the dashboard")


def main(argv: list[str] | None = None, default_redis_url: Callable[[], str] | None = None) -> int:
    # Symbols and options in any order.
    return run(build_parser().parse_intermixed_args(argv), default_redis_url)


def run(args: argparse.Namespace, default_redis_url: Callable[[], str] | None = None) -> int:
    """Write (or --clear) the statuses. Without --redis-url the Redis is `default_redis_url()`:
    the caller's settings (REDIS_URL or REDIS_HOST/REDIS_PORT, read by dashboard.settings, which
    this room does not import)."""
    bad = [s for s in args.symbols if not is_valid_symbol_format(s)]
    if bad:
        print(f"error: not a market code such as KRW-BTC: {', '.join(bad)}", file=sys.stderr)
        return 2
    url = args.redis_url or (default_redis_url() if default_redis_url is not None else None)
    if url is None:
        print("error: no Redis to write to: pass --redis-url", file=sys.stderr)
        return 2
    client = make_redis_client(url, 2.0)
    try:
        if args.clear:
            return clear(client)
        return write(client, args.symbols, args, datetime.now(UTC))
    except redis.RedisError as exc:
        print(f"error: Redis at {url}: {exc}", file=sys.stderr)
        return 2
