"""The bot-status test tool against the real Redis: real payloads, the bot's TTL, stale and
malformed statuses the dashboard recognises, and no clobbering of a running bot's status."""

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from dashboard.cli import main as cli_main
from data.status_payload import ProblemKind, StatusState
from data.status_reader import BotStatusReader, make_redis_client
from simulator.bot_status_tool import main
from tests.support.processes import REPO

pytestmark = pytest.mark.redis


def read(redis_db, symbol="KRW-BTC"):
    return BotStatusReader(make_redis_client(redis_db, 1.0), lambda: datetime.now(UTC)).read([symbol]).readings[symbol]


def test_writes_the_bots_payload_with_the_bots_ttl(redis_db, redis_client):
    assert main(["KRW-BTC", "KRW-ETH", "--action", "BUY", "--rsi", "27.5", "--redis-url", redis_db]) == 0
    payload = json.loads(redis_client.get("bot:status:KRW-BTC"))
    assert payload["action"] == "BUY" and payload["indicators"]["rsi"] == 27.5
    assert 290 < redis_client.ttl("bot:status:KRW-BTC") <= 300
    reading = read(redis_db)
    assert reading.state is StatusState.OK and not reading.stale


def test_an_age_makes_a_stale_status(redis_db, redis_client):
    main(["KRW-BTC", "--age", "600", "--redis-url", redis_db])
    reading = read(redis_db)
    assert reading.stale and reading.age_s == pytest.approx(600, abs=5)


@pytest.mark.parametrize(
    "kind, problem",
    [
        ("not-json", ProblemKind.NOT_JSON),
        ("nan", ProblemKind.INVALID_VALUE),
        ("missing-fields", ProblemKind.MISSING_FIELD),
        ("wrong-types", ProblemKind.WRONG_TYPE),
        ("huge", ProblemKind.TOO_LARGE),
    ],
)
def test_malformed_payloads_show_as_invalid(redis_db, redis_client, kind, problem):
    main(["KRW-BTC", "--malformed", kind, "--redis-url", redis_db])
    assert problem in read(redis_db).problem_kinds


def test_the_reversed_key_form_exercises_the_fallback(redis_db, redis_client):
    main(["KRW-BTC", "--reversed-key", "--redis-url", redis_db])
    assert redis_client.exists("bot:status:BTC-KRW") and read(redis_db).key == "bot:status:BTC-KRW"


def test_a_recent_status_of_a_running_bot_is_not_overwritten_unless_forced(redis_db, redis_client, capsys):
    bot_payload = json.dumps(
        {
            "timestamp": datetime.now(UTC).isoformat(),
            "symbol": "KRW-BTC",
            "action": "SELL",
            "indicators": {},
            "reason": "the real bot",
        }
    )
    redis_client.set("bot:status:KRW-BTC", bot_payload, ex=300)
    assert main(["KRW-BTC", "--redis-url", redis_db]) == 1
    assert "refused" in capsys.readouterr().err
    assert redis_client.get("bot:status:KRW-BTC").decode() == bot_payload
    assert main(["KRW-BTC", "--force", "--redis-url", redis_db]) == 0
    assert json.loads(redis_client.get("bot:status:KRW-BTC"))["reason"] != "the real bot"


def test_its_own_status_may_be_rewritten_without_force(redis_db, redis_client):
    assert main(["KRW-BTC", "--redis-url", redis_db]) == 0
    assert main(["KRW-BTC", "--action", "SELL", "--redis-url", redis_db]) == 0


def test_clear_removes_only_what_the_tool_wrote(redis_db, redis_client):
    main(["KRW-BTC", "KRW-ETH", "--redis-url", redis_db])
    redis_client.set("bot:status:KRW-ETH", "the bot took over", ex=300)  # the bot wrote after the tool
    redis_client.set("bot:status:KRW-XRP", "the bot's own", ex=300)
    assert main(["--clear", "--redis-url", redis_db]) == 0
    assert not redis_client.exists("bot:status:KRW-BTC")
    assert redis_client.get("bot:status:KRW-ETH") == b"the bot took over"
    assert redis_client.get("bot:status:KRW-XRP") == b"the bot's own"


def test_the_script_and_the_cli_command_are_the_same_tool(redis_db, redis_client):
    script = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "test_bot_status.py"), "KRW-SOL", "--redis-url", redis_db],
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and "wrote bot:status:KRW-SOL" in script.stdout
    cli = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "bot-status", "KRW-DOGE", "--redis-url", redis_db],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0 and redis_client.exists("bot:status:KRW-DOGE")


def test_bad_symbols_and_unreachable_redis_are_one_line_errors(capsys):
    assert main(["bitcoin"]) == 2
    assert main(["KRW-BTC", "--redis-url", "redis://127.0.0.1:1/0"]) == 2
    assert all(line.startswith("error:") for line in capsys.readouterr().err.strip().splitlines())


def test_the_default_payload_is_v3_and_week6_on_request(redis_db, redis_client):
    assert main(["KRW-BTC", "--action", "HOLD (POS)", "--regime", "BULL", "--redis-url", redis_db]) == 0
    payload = json.loads(redis_client.get("bot:status:KRW-BTC"))
    assert payload["regime"] == "BULL" and payload["position"]["regime"] == "BULL"
    assert set(payload["indicators"]) == {"rsi", "ma_trend", "hwm"}
    assert read(redis_db).state is StatusState.OK
    assert main(["KRW-BTC", "--week6", "--redis-url", redis_db]) == 0
    assert "bb_lower" in json.loads(redis_client.get("bot:status:KRW-BTC"))["indicators"]


def test_the_subcommand_takes_options_before_the_symbols_and_help(redis_db, redis_client):
    assert cli_main(["bot-status", "--action", "BUY", "KRW-BTC", "--redis-url", redis_db]) == 0
    assert json.loads(redis_client.get("bot:status:KRW-BTC"))["action"] == "BUY"
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "bot-status", "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0 and "--week6" in result.stdout and "HOLD (POS)" in result.stdout


def test_the_cli_command_takes_symbols_and_options_in_any_order(redis_db, redis_client):
    assert cli_main(["bot-status", "KRW-BTC", "--action", "BUY", "KRW-ETH", "--redis-url", redis_db]) == 0
    assert cli_main(["bot-status", "--action", "SELL", "KRW-XRP", "--redis-url", redis_db]) == 0
    assert read(redis_db, "KRW-ETH").status.action == "BUY" and read(redis_db, "KRW-XRP").status.action == "SELL"


def test_the_cli_command_still_refuses_an_unknown_option(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["bot-status", "KRW-BTC", "--bogus"])
    assert exit_.value.code == 2 and "--bogus" in capsys.readouterr().err
