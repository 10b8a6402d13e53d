"""LLM usage summaries and the provider bill reconciliation, with hand-computed numbers."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from data.llm_costs import reconcile, usage_over_time, usage_summary

T0 = datetime(2026, 1, 30, 0, 0, tzinfo=UTC)


def events(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "created_at": T0 + timedelta(minutes=m),
                "route": route,
                "feature": "f",
                "provider": provider,
                "model": "x",
                "status": status,
                "input_tokens": tin,
                "output_tokens": tout,
                "total_tokens": total,
                "estimated_cost_usd": cost,
                "latency_ms": latency,
            }
            for m, route, provider, status, tin, tout, total, cost, latency in rows
        ]
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    for name in ("input_tokens", "output_tokens", "total_tokens", "estimated_cost_usd", "latency_ms"):
        frame[name] = pd.to_numeric(frame[name])
    return frame


SAMPLE = events(
    (0, "ai", "anthropic", "success", 100, 20, 120, 0.01, 100.0),
    (1, "ai", "anthropic", "error", 0, 0, 0, 0.0, 200.0),
    (2, "chat", "openai", "estimated", 50, 50, None, 0.02, 300.0),
    (3, "ai", "anthropic", "success", 10, 10, 20, 0.03, 400.0),
    (70, "chat", "openai", "success", 1, 1, 2, 0.04, None),
)


def test_the_summary_counts_calls_errors_tokens_cost_and_latency_percentiles():
    total = usage_summary(SAMPLE, None).iloc[0].to_dict()
    assert (total["calls"], total["errors"]) == (5, 1)
    assert total["error_rate_pct"] == pytest.approx(20.0)
    assert total["total_tokens"] == 120 + 0 + 100 + 20 + 2  # a missing total is input + output
    assert total["cost_usd"] == pytest.approx(0.10)
    # latencies 100, 200, 300, 400: p50 between the 2nd and 3rd, p95 at rank 0.95 x 3 = 2.85
    assert total["latency_p50_ms"] == pytest.approx(250.0)
    assert total["latency_p95_ms"] == pytest.approx(300.0 + 0.85 * 100.0)


def test_the_summary_by_route_puts_the_most_called_first():
    by_route = usage_summary(SAMPLE, "route")
    assert list(by_route["group"]) == ["ai", "chat"]
    assert by_route.iloc[0]["error_rate_pct"] == pytest.approx(100 / 3)


def test_usage_per_hour_is_bucketed_in_the_display_time_zone():
    per_hour = usage_over_time(SAMPLE, "hour", ZoneInfo("Asia/Seoul"))
    assert per_hour["calls"].to_dict() == {"2026-01-30 09:00": 4, "2026-01-30 10:00": 1}
    assert per_hour.loc["2026-01-30 09:00", "errors"] == 1
    assert per_hour.loc["2026-01-30 10:00", "cost_usd"] == pytest.approx(0.04)


def bill(provider, start_min, end_min, cost):
    return {
        "provider": provider,
        "window_start": pd.Timestamp(T0 + timedelta(minutes=start_min)),
        "window_end": pd.Timestamp(T0 + timedelta(minutes=end_min)),
        "cost_usd": cost,
    }


def test_a_bill_is_compared_with_the_ledger_of_its_provider_in_its_half_open_window():
    bills = pd.DataFrame([bill("anthropic", 0, 3, 0.0125), bill("openai", 2, 70, 0.025), bill(None, 0, 71, 0.0)])
    out = reconcile(bills, SAMPLE).to_dict("records")
    anthropic, openai, anyone = out
    # anthropic calls at minutes 0 and 1 (0.01 + 0.0); the one at minute 3 is the window's end
    assert anthropic["ledger_usd"] == pytest.approx(0.01)
    assert anthropic["difference_usd"] == pytest.approx(0.0025)
    assert anthropic["difference_pct"] == pytest.approx(20.0)
    assert openai["ledger_usd"] == pytest.approx(0.02)  # minute 70 is outside [2, 70)
    assert openai["difference_pct"] == pytest.approx(20.0)
    assert anyone["provider"] == "(any)" and anyone["ledger_usd"] == pytest.approx(0.10)
    assert pd.isna(anyone["difference_pct"])  # nothing billed: no percentage
