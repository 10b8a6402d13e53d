"""Where messages go, each in the format its service documents; and the heartbeat call.

- generic webhook (ALERT_WEBHOOK_URLS): the message as JSON, an `Idempotency-Key` header and
  the same `id` in the body (an n8n Webhook node takes it as it is);
- Discord execute-webhook: `content` (at most 2000 characters) and `allowed_mentions` with no
  parse, so an alert can never ping @everyone;
- Slack incoming webhook: `text` (the notification fallback) and one mrkdwn `section` block
  (at most 3000 characters), with &, < and > escaped as Slack asks;
- Telegram Bot API sendMessage: `chat_id`, `text` (1-4096 characters, plain: no parse_mode, so
  nothing needs escaping) and `link_preview_options.is_disabled`.

A Channel's `name` is what logs and pages show: never its URL or token.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from alerts.config import AlertSettings

DISCORD_CONTENT_MAX = 2000
SLACK_SECTION_MAX = 3000
TELEGRAM_TEXT_MAX = 4096
USER_AGENT = "coinpilot-dashboard-alerts"


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str  # webhook, discord, slack, telegram
    url: str

    def request(self, message: dict) -> Request:
        payload = PAYLOADS[self.kind](message)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if self.kind == "webhook":
            headers["Idempotency-Key"] = message["id"]
        return Request(self.url, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def generic_payload(message: dict) -> dict:
    return {"source": "coinpilot-dashboard", **message}


def discord_payload(message: dict) -> dict:
    return {"content": _clip(message["text"], DISCORD_CONTENT_MAX), "allowed_mentions": {"parse": []}}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: dict) -> dict:
    escaped = _slack_escape(message["text"])
    return {
        "text": _clip(_slack_escape(message["headline"]), SLACK_SECTION_MAX),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(escaped, SLACK_SECTION_MAX)}}],
    }


def telegram_payload(message: dict, chat_id: str = "") -> dict:
    return {
        "chat_id": chat_id,
        "text": _clip(message["text"], TELEGRAM_TEXT_MAX),
        "link_preview_options": {"is_disabled": True},
    }


PAYLOADS = {
    "webhook": generic_payload,
    "discord": discord_payload,
    "slack": slack_payload,
}


@dataclass(frozen=True)
class TelegramChannel(Channel):
    chat_id: str = ""

    def request(self, message: dict) -> Request:
        body = json.dumps(telegram_payload(message, self.chat_id), ensure_ascii=False).encode("utf-8")
        return Request(self.url, body, {"Content-Type": "application/json", "User-Agent": USER_AGENT})


def configured_channels(settings: AlertSettings) -> list[Channel]:
    channels: list[Channel] = []
    for number, url in enumerate(settings.webhook_urls, start=1):
        channels.append(Channel(f"webhook-{number} ({urlsplit(url).hostname})", "webhook", url))
    if settings.discord_webhook_url:
        channels.append(Channel("discord", "discord", settings.discord_webhook_url))
    if settings.slack_webhook_url:
        channels.append(Channel("slack", "slack", settings.slack_webhook_url))
    if settings.telegram is not None:
        t = settings.telegram
        url = f"{t.api_url.rstrip('/')}/bot{t.bot_token}/sendMessage"
        channels.append(TelegramChannel("telegram", "telegram", url, chat_id=t.chat_id))
    return channels


class DeliveryFailed(Exception):
    """One attempt failed. `retryable`: another attempt can help. `channel_wide`: the service
    itself is away or busy (no connection, no answer, 429, 502, 503, 504), so every message
    for it waits, not only this one. `retry_after_s`: what the service's Retry-After asked."""

    def __init__(self, reason: str, retryable: bool, retry_after_s: float | None = None, *, channel_wide: bool = False):
        super().__init__(reason)
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.channel_wide = channel_wide


# The service is down, overloaded or behind a gateway that cannot reach it: nothing for it can
# go now. A 500 or 408 may be about this one message (an n8n workflow that fails on it), so it
# delays only that message.
CHANNEL_WIDE_STATUSES = frozenset({429, 502, 503, 504})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No redirects: a webhook URL that answers with a redirect is misconfigured, and following it
# would carry the message (and for Telegram the token in the path) somewhere else.
_opener = urllib.request.build_opener(_NoRedirect())


def post(request: Request, timeout_s: float, now: float | None = None) -> int:
    """POST once; the HTTP status on 2xx, DeliveryFailed otherwise. The reason never holds the URL.
    `now` (epoch seconds, the sender's clock) turns a Retry-After date into seconds."""
    http_request = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with _opener.open(http_request, timeout=timeout_s) as response:
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as exc:
        header = exc.headers.get("Retry-After") if exc.headers else None
        retry_after = retry_after_s(header, time.time() if now is None else now)
        # 408 and 429 and 5xx are the service's momentary trouble; another 4xx means the
        # payload or the URL is wrong, and sending it again cannot help.
        retryable = exc.code in (408, 429) or exc.code >= 500
        return _raise(f"HTTP {exc.code}", retryable, retry_after, channel_wide=exc.code in CHANNEL_WIDE_STATUSES)
    except TimeoutError:
        return _raise(f"no answer within {timeout_s:g} s", True, channel_wide=True)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return _raise(f"no answer within {timeout_s:g} s", True, channel_wide=True)
        return _raise(
            f"connection failed: {type(reason).__name__}: {getattr(reason, 'strerror', None) or reason}",
            True,
            channel_wide=True,
        )
    except OSError as exc:
        return _raise(f"connection failed: {type(exc).__name__}", True, channel_wide=True)


def get(url: str, timeout_s: float) -> None:
    """The heartbeat: a GET, answer ignored beyond its status."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="GET")
    try:
        with _opener.open(request, timeout=timeout_s) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        _raise(f"HTTP {exc.code}", True)
    except (urllib.error.URLError, OSError) as exc:
        _raise(f"connection failed: {type(exc).__name__}", True)


def _raise(reason: str, retryable: bool, retry_after: float | None = None, *, channel_wide: bool = False):
    raise DeliveryFailed(reason, retryable, retry_after, channel_wide=channel_wide)


def retry_after_s(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: delay-seconds ("120") or an HTTP date (RFC 9110 10.2.3);
    None when absent or unreadable (the backoff decides then)."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)  # delay-seconds; some services send a fraction, as Discord's body does
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)
