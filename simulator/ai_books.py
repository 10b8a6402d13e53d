"""The v3 bot's AI side, simulated: LLM calls and their ledger, credit and provider-bill readings,
and the guardrails (budget, per-symbol reject cooldown, error streak, global block).

Every LLM call becomes an `llm_usage_events` row: estimated_cost_usd = (input_tokens x input
price + output_tokens x output price) / 1,000,000 from PRICES_PER_MTOK (0 for an error).
`llm_credit_snapshots` read a provider balance that falls by what was spent:
STARTING_CREDIT_USD - the ledger's cost so far. `llm_provider_cost_snapshots` bill each UTC day:
the ledger's cost for that provider and day x (1 + d), d uniform in +/- PROVIDER_DISCREPANCY.
The guardrails (all times demo/bot time): at most HOURLY_BUDGET AI-decision calls an hour and
DAILY_BUDGET a day (UTC) unless the regime sets others; every reject of one symbol cools it down for
REJECT_COOLDOWNS by how many it had within REJECT_WINDOW; ERRORS_FOR_BLOCK errors in a row block all reviews for
GLOBAL_BLOCK. Errors come mostly in short provider outages.
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

PRICE_VERSION = "2026-02"
# USD per million tokens (input, output)
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "gpt-4o-mini": (0.15, 0.6),
}
# feature -> (provider, model, typical input tokens, typical output tokens)
FEATURES: dict[str, tuple[str, str, int, int]] = {
    "analyst": ("anthropic", "claude-haiku-4-5", 2400, 350),
    "guardian": ("anthropic", "claude-sonnet-4-5", 1800, 250),
    "chat": ("openai", "gpt-4o-mini", 1500, 400),
    "report": ("anthropic", "claude-sonnet-4-5", 6000, 1200),
}
PROVIDERS = ("anthropic", "openai")
STARTING_CREDIT_USD = {"anthropic": 40.0, "openai": 10.0}
PROVIDER_DISCREPANCY = 0.03
CREDIT_SNAPSHOT_HOURS = (0, 8, 16)
DECISION_ROUTE = "ai_decision"

# The bot's guardrail defaults (its strategy file's regimes may set the budgets per regime).
HOURLY_BUDGET = 20
DAILY_BUDGET = 120
REJECT_WINDOW = timedelta(minutes=30)
# Each reject cools the symbol down, longer with each reject in the window (1, 2, 3+).
REJECT_COOLDOWNS = (timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=15))
ERRORS_FOR_BLOCK = 5
GLOBAL_BLOCK = timedelta(minutes=30)
ERROR_PROBABILITY = 0.02
OUTAGE_PROBABILITY_PER_HOUR = 0.05
OUTAGE_ERROR_PROBABILITY = 0.8
ERROR_TYPES = ("timeout", "rate_limit", "server_error")

# The guardrails' reasons, in the form the bot writes them after "AI Guardrail Blocked: "
# (data.status_reasons recognises each by its first words).
TEXT = {
    "budget_hour": "Hourly AI budget exhausted ({count}/{limit})",
    "budget_day": "Daily AI budget exhausted ({count}/{limit})",
    "global_block": "Global AI block active ({left}s left)",
    "symbol_cooldown": "Symbol AI cooldown active ({left}s left)",
}


def estimated_cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    price_in, price_out = PRICES_PER_MTOK[model]
    return round((input_tokens * price_in + output_tokens * price_out) / 1_000_000, 8)


def hour_key(at: datetime) -> str:
    return at.strftime("%Y%m%d%H")


def day_key(at: datetime) -> str:
    return at.strftime("%Y%m%d")


@dataclass
class AiGuard:
    """What the bot's AI guardrails know (mirrored to the ai:guard:* and ai:usage:* keys)."""

    global_block_until: datetime | None = None
    error_streak: int = 0
    symbol_cooldown_until: dict[str, datetime] = field(default_factory=dict)
    rejects: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    usage_hour: dict[str, int] = field(default_factory=dict)
    usage_day: dict[str, int] = field(default_factory=dict)

    def recent_rejects(self, symbol: str, at: datetime) -> int:
        times = self.rejects[symbol]
        while times and at - times[0] > REJECT_WINDOW:
            times.popleft()
        return len(times)


class AiBooks:
    """LLM calls, their costs and the guardrails; rows wait in lists until drained."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.guard = AiGuard()
        self.events: list[dict] = []
        self.credit_snapshots: list[dict] = []
        self.cost_snapshots: list[dict] = []
        self.cost_by_day: dict[tuple[str, date], float] = defaultdict(float)
        self.spent: dict[str, float] = defaultdict(float)
        self.outage_until: datetime | None = None

    # -- guardrails ----------------------------------------------------------------------

    def blocked(
        self, symbol: str, at: datetime, hour_limit: int = HOURLY_BUDGET, day_limit: int = DAILY_BUDGET
    ) -> str | None:
        """Why an AI review cannot run now, or None (the regime's budget, as the bot checks it)."""
        guard = self.guard
        if guard.global_block_until is not None and at < guard.global_block_until:
            return TEXT["global_block"].format(left=int((guard.global_block_until - at).total_seconds()))
        cooldown = guard.symbol_cooldown_until.get(symbol)
        if cooldown is not None and at < cooldown:
            return TEXT["symbol_cooldown"].format(left=int((cooldown - at).total_seconds()))
        used_hour = guard.usage_hour.get(hour_key(at), 0)
        if used_hour >= hour_limit:
            return TEXT["budget_hour"].format(count=used_hour, limit=hour_limit)
        used_day = guard.usage_day.get(day_key(at), 0)
        if used_day >= day_limit:
            return TEXT["budget_day"].format(count=used_day, limit=day_limit)
        return None

    def note_reject(self, symbol: str, at: datetime) -> None:
        """A reject cools the symbol down at once: 5, 10, then 15 minutes for the 1st, 2nd and
        later rejects within the window."""
        self.guard.rejects[symbol].append(at)
        count = self.guard.recent_rejects(symbol, at)
        self.guard.symbol_cooldown_until[symbol] = at + REJECT_COOLDOWNS[min(count, len(REJECT_COOLDOWNS)) - 1]

    # -- calls ---------------------------------------------------------------------------

    def call(self, at: datetime, route: str, feature: str, meta: dict | None = None) -> bool:
        """One LLM call, recorded in the ledger; True when it succeeded."""
        provider, model, typical_in, typical_out = FEATURES[feature]
        rng = self.rng
        in_outage = self.outage_until is not None and at < self.outage_until
        failed = rng.random() < (OUTAGE_ERROR_PROBABILITY if in_outage else ERROR_PROBABILITY)
        if failed:
            status, error_type = "error", ERROR_TYPES[int(rng.integers(0, len(ERROR_TYPES)))]
            input_tokens = output_tokens = 0
            latency = 30_000 if error_type == "timeout" else int(rng.integers(150, 900))
        else:
            # A response without usage figures is costed from estimated token counts.
            status, error_type = ("estimated" if rng.random() < 0.05 else "success"), None
            input_tokens = int(typical_in * rng.uniform(0.6, 1.5))
            output_tokens = int(typical_out * rng.uniform(0.4, 1.6))
            latency = int(rng.lognormal(np.log(1800), 0.5))
        cost = estimated_cost_usd(model, input_tokens, output_tokens)
        self.events.append(
            {
                "created_at": at,
                "request_id": "req_"
                + uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))).hex,
                "route": route,
                "feature": feature,
                "provider": provider,
                "model": model,
                "status": status,
                "error_type": error_type,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
                "estimated_cost_usd": cost,
                "price_version": PRICE_VERSION,
                "latency_ms": latency,
                "meta": meta or {},
            }
        )
        self.cost_by_day[(provider, at.date())] += cost
        self.spent[provider] += cost
        if route == DECISION_ROUTE:
            guard = self.guard
            guard.usage_hour[hour_key(at)] = guard.usage_hour.get(hour_key(at), 0) + 1
            guard.usage_day[day_key(at)] = guard.usage_day.get(day_key(at), 0) + 1
            if failed:
                guard.error_streak += 1
                if guard.error_streak >= ERRORS_FOR_BLOCK:
                    guard.global_block_until = at + GLOBAL_BLOCK
                    guard.error_streak = 0
            else:
                guard.error_streak = 0
        return not failed

    def model(self, feature: str) -> str:
        return FEATURES[feature][1]

    # -- the hourly side: outages, chat and reports, credit and bills --------------------

    def on_hour(self, at: datetime) -> None:
        """At a UTC hour boundary `at`."""
        rng = self.rng
        if rng.random() < OUTAGE_PROBABILITY_PER_HOUR:
            self.outage_until = at + timedelta(minutes=int(rng.integers(10, 40)))
        for _ in range(int(rng.poisson(0.3))):
            self.call(at + timedelta(seconds=float(rng.uniform(1, 50))), "chat", "chat", {"channel": "discord"})
        if at.hour == 0:
            self.call(
                at + timedelta(seconds=5),
                "daily_report",
                "report",
                {"day": (at - timedelta(days=1)).date().isoformat()},
            )
            self._bill(at - timedelta(days=1), at)
        if at.hour in CREDIT_SNAPSHOT_HOURS:
            for provider in PROVIDERS:
                self.credit_snapshots.append(
                    {
                        "created_at": at,
                        "provider": provider,
                        "balance_usd": round(STARTING_CREDIT_USD[provider] - self.spent[provider], 8),
                        "balance_unit": "USD",
                        "source": "provider_api",
                        "note": None,
                    }
                )
        self._forget_old_usage(at)

    def _bill(self, window_start: datetime, window_end: datetime) -> None:
        for provider in PROVIDERS:
            ledger = self.cost_by_day.pop((provider, window_start.date()), 0.0)
            discrepancy = float(self.rng.uniform(-PROVIDER_DISCREPANCY, PROVIDER_DISCREPANCY))
            self.cost_snapshots.append(
                {
                    "created_at": window_end,
                    "provider": provider,
                    "window_start": window_start,
                    "window_end": window_end,
                    "cost_usd": round(ledger * (1 + discrepancy), 8),
                    "currency": "USD",
                    "source": "provider_usage_api",
                    "note": None,
                }
            )

    def _forget_old_usage(self, at: datetime) -> None:
        guard = self.guard
        for key in [k for k in guard.usage_hour if k < hour_key(at - timedelta(hours=2))]:
            del guard.usage_hour[key]
        for key in [k for k in guard.usage_day if k < day_key(at - timedelta(days=2))]:
            del guard.usage_day[key]

    def drain(self) -> tuple[list[dict], list[dict], list[dict]]:
        rows = (self.events, self.credit_snapshots, self.cost_snapshots)
        self.events, self.credit_snapshots, self.cost_snapshots = [], [], []
        return rows
