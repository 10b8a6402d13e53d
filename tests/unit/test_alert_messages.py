"""Alert messages: the words per language and time zone, each service's documented payload,
delivery to each format on a loopback receiver, and no secret in any log line."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerts.channels import (
    DISCORD_CONTENT_MAX,
    SLACK_SECTION_MAX,
    TELEGRAM_TEXT_MAX,
    configured_channels,
    discord_payload,
    slack_payload,
    telegram_payload,
)
from alerts.compose import compose
from alerts.config import AlertSettings, TelegramTarget
from alerts.delivery import ChannelSender
from alerts.engine import Event, EventKind, RuleState, State
from alerts.store import AlertStore
from tests.support.helpers import wait_until
from tests.support.webhooks import WebhookReceiver

SEOUL = ZoneInfo("Asia/Seoul")
AT = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
TOKEN = "123456:SECRET-token_value"


def firing_event(value_args=None, subject="KRW-BTC") -> Event:
    state = RuleState(
        key=f"bot_status_stale:{subject}",
        rule="bot_status_stale",
        subject=subject,
        state=State.FIRING,
        since=AT,
        value_key="value.age",
        value_args=value_args or {"age_s": 200},
        rule_args={},
        page=f"/market?symbol={subject}",
        evaluated_at=AT,
        notified_at=AT,
    )
    return Event(EventKind.FIRING, state, AT)


def test_a_message_says_what_which_symbol_the_value_since_when_and_links_the_page():
    message = compose(firing_event(), "en", SEOUL, "https://dash.example/coinpilot")
    assert message["text"].splitlines() == [
        "🔴 FIRING: Bot status missing or stale: KRW-BTC",
        "Value: 3 min old",
        "Since: 2026-01-01 12:00:00 KST",
        "Open: https://dash.example/coinpilot/market?symbol=KRW-BTC",
    ]


def test_a_message_is_korean_by_default():
    message = compose(firing_event(), "ko", SEOUL, None)
    assert message["text"].splitlines()[:2] == ["🔴 경보 발생: 봇 상태 없음 또는 오래됨: KRW-BTC", "값: 3분 지남"]


# Documented limits: Discord execute-webhook `content` up to 2000 characters; Slack section
# text up to 3000; Telegram sendMessage `text` 1-4096 characters.
DISCORD_FIELDS = {
    "content",
    "username",
    "avatar_url",
    "tts",
    "embeds",
    "allowed_mentions",
    "components",
    "flags",
    "thread_name",
}
TELEGRAM_FIELDS = {
    "chat_id",
    "text",
    "parse_mode",
    "entities",
    "link_preview_options",
    "disable_notification",
    "message_thread_id",
}


def long_message() -> dict:
    return compose(firing_event({"age_s": 10}, subject="KRW-" + "X" * 5000), "en", SEOUL, None)


def test_the_discord_payload_is_an_execute_webhook_body_that_pings_nobody():
    payload = discord_payload(long_message())
    assert set(payload) <= DISCORD_FIELDS
    assert 1 <= len(payload["content"]) <= DISCORD_CONTENT_MAX
    assert payload["allowed_mentions"] == {"parse": []}


def test_the_slack_payload_is_text_and_one_mrkdwn_section_with_markup_escaped():
    message = compose(firing_event({"detail": "<!channel> & co"}), "en", SEOUL, None)
    message["text"] += "\n<!channel> & co"
    payload = slack_payload(message)
    assert set(payload) == {"text", "blocks"}
    [block] = payload["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    assert "<!channel>" not in block["text"]["text"] and "&lt;!channel&gt; &amp; co" in block["text"]["text"]
    assert len(slack_payload(long_message())["blocks"][0]["text"]["text"]) <= SLACK_SECTION_MAX


def test_the_telegram_payload_is_a_plain_sendmessage_body():
    payload = telegram_payload(long_message(), "-1001234")
    assert set(payload) <= TELEGRAM_FIELDS
    assert payload["chat_id"] == "-1001234" and "parse_mode" not in payload
    assert 1 <= len(payload["text"]) <= TELEGRAM_TEXT_MAX


def deliver_to_every_format(tmp_path, receiver, budget_s: float = 0.5) -> AlertStore:
    settings = AlertSettings(
        webhook_urls=(receiver.url + "/n8n",),
        discord_webhook_url=receiver.url + "/api/webhooks/1/DISCORDSECRET",
        slack_webhook_url=receiver.url + "/services/T0/B0/SLACKSECRET",
        telegram=TelegramTarget(TOKEN, "-1001234", receiver.url),
        state_dir=str(tmp_path),
    )
    store = AlertStore(settings.state_path)
    event = firing_event()
    channels = configured_channels(settings)
    from alerts.engine import Outcome

    store.commit_evaluation(
        None, Outcome({}, [], [event]), [(event, c.name, compose(event, "en", SEOUL, None)) for c in channels]
    )
    stop = threading.Event()
    senders = [
        ChannelSender(store, c, None, timeout_s=1, budget_s=budget_s, secrets=settings.secret_values(), stop=stop)
        for c in channels
    ]
    for s in senders:
        s.start()
    try:
        wait_until(lambda: len(receiver.received) >= 4 or receiver.attempts >= 4, timeout=10)
        wait_until(lambda: all(r["sent_at"] or r["failed_at"] for r in store.outbox_rows()), timeout=5)
    finally:
        stop.set()
        for s in senders:
            s.join(3)
    return store


def test_each_format_arrives_where_its_service_expects_it(tmp_path):
    with WebhookReceiver() as receiver:
        deliver_to_every_format(tmp_path, receiver)
        by_path = {r.path: r for r in receiver.received}
    assert set(by_path) == {
        "/n8n",
        "/api/webhooks/1/DISCORDSECRET",
        "/services/T0/B0/SLACKSECRET",
        f"/bot{TOKEN}/sendMessage",
    }
    generic = by_path["/n8n"]
    assert generic.body["rule"] == "bot_status_stale" and generic.body["subject"] == "KRW-BTC"
    assert generic.headers["Idempotency-Key"] == generic.body["id"]
    assert "content" in by_path["/api/webhooks/1/DISCORDSECRET"].body
    assert by_path[f"/bot{TOKEN}/sendMessage"].body["chat_id"] == "-1001234"


def test_no_url_or_token_reaches_the_log_when_delivery_fails(tmp_path, caplog):
    with WebhookReceiver() as receiver:
        receiver.mode = WebhookReceiver.REFUSE
        with caplog.at_level(logging.DEBUG, logger="coinpilot.alerts"):
            store = deliver_to_every_format(tmp_path, receiver)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "NOT delivered" in logged
    for secret in (TOKEN, "DISCORDSECRET", "SLACKSECRET", receiver.url):
        assert secret not in logged
        assert all(secret not in (row["last_error"] or "") for row in store.outbox_rows())
        assert secret not in json.dumps([row["channel"] for row in store.outbox_rows()])


def test_a_rejected_payload_is_not_retried(tmp_path):
    with WebhookReceiver() as receiver:
        receiver.mode = WebhookReceiver.REFUSE
        receiver.refuse_status = 400  # the service says the payload is wrong: sending it again cannot help
        store = deliver_to_every_format(tmp_path, receiver, budget_s=3600)
    assert {(row["attempts"], row["failed_at"] is not None) for row in store.outbox_rows()} == {(1, True)}
