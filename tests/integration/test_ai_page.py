"""The AI page's panels against PostgreSQL: a v3 database filled with known rows (decisions, the
candles that judge them, LLM calls, bills, credit readings), a week-6 one and an empty one.
Expected numbers are worked out here from the rows (tests/support/ai_rows.py)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from callbacks import ai as ai_callbacks
from dashboard.app import build_services
from data.database import Backend
from i18n import using
from layouts import ai as ai_layout
from simulator.seeding import create_schema
from simulator.writer import WritableDatabase
from tests.support.ai_rows import ai_rows, write_ai_rows
from tests.support.components import by_attribute, english_words, one, text
from tests.support.helpers import SEED_END, FixedClock, make_settings

pytestmark = [pytest.mark.postgres]

NOW = SEED_END


def database(postgres, generation: str, rows=None) -> str:
    url = postgres.create(f"cp_ai_{generation}")
    writer = WritableDatabase(url)
    create_schema(writer.engine, Backend.POSTGRESQL, generation)
    if rows is not None:
        write_ai_rows(writer.engine, rows)
    writer.dispose()
    return url


@pytest.fixture(scope="module")
def rows():
    return ai_rows(NOW)


@pytest.fixture(scope="module")
def v3_url(postgres, rows):
    return database(postgres, "v3", rows)


@pytest.fixture
def services_for():
    made = []

    def build(url):
        services = build_services(make_settings(url, "redis://127.0.0.1:6379/15"), clock=FixedClock(NOW))
        made.append(services)
        return services

    yield build
    for services in made:
        services.database.dispose()


def cell(tree, row_attribute: str, key: str, column: str) -> str:
    return text(one(one(tree, row_attribute, key), "data-col", column))


def test_outcomes_score_rejects_and_confirms_at_4h_with_pending_and_unknown_apart(v3_url, services_for):
    *_, outcomes = ai_callbacks.decision_panels(services_for(v3_url), 7)
    # Within 7 days: REJECT 95 < 100 (right), REJECT 2 h ago (pending), REJECT without a 4 h candle.
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "decisions") == "3"
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "pending") == "1"
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "scored") == "1"
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "hit_rate_pct") == "100.00%"
    # 1 h: 99 < 100 right, 49 < 50 right, 100.5 > 100 wrong; 24 h: 101 > 100 wrong, the rest pending.
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "hit_rate_1h_pct") == "66.67%"
    assert cell(outcomes, "data-outcome", "all:all:REJECT", "hit_rate_24h_pct") == "0.00%"
    # CONFIRM: unchanged 100 -> 100 is not right, 50 -> 52 is; one has no price_at_decision.
    assert cell(outcomes, "data-outcome", "all:all:CONFIRM", "scored") == "2"
    assert cell(outcomes, "data-outcome", "all:all:CONFIRM", "hit_rate_pct") == "50.00%"
    assert cell(outcomes, "data-outcome", "all:all:CONFIRM", "avg_move_4h_pct") == "+2.00%"
    assert cell(outcomes, "data-outcome", "all:all:SAFE", "hit_rate_pct") == "not scored"
    assert cell(outcomes, "data-outcome", "all:all:SAFE", "avg_move_4h_pct") == "+3.00%"


def test_outcomes_are_broken_down_by_regime_and_by_model(v3_url, services_for):
    *_, outcomes = ai_callbacks.decision_panels(services_for(v3_url), 7)
    assert cell(outcomes, "data-outcome", "regime:BEAR:REJECT", "hit_rate_pct") == "100.00%"
    assert cell(outcomes, "data-outcome", "model:model-a:CONFIRM", "hit_rate_pct") == "0.00%"
    assert cell(outcomes, "data-outcome", "model:model-b:CONFIRM", "hit_rate_pct") == "100.00%"


def test_the_look_back_bounds_the_decisions(v3_url, services_for):
    services = services_for(v3_url)
    *_, week = ai_callbacks.decision_panels(services, 7)
    *_, month = ai_callbacks.decision_panels(services, 30)
    assert cell(week, "data-outcome", "all:all:REJECT", "decisions") == "3"
    # The REJECT 8 days ago (100 -> 90, right) joins at 30 days.
    assert cell(month, "data-outcome", "all:all:REJECT", "decisions") == "4"
    assert cell(month, "data-outcome", "all:all:REJECT", "hit_rate_pct") == "100.00%"
    assert cell(month, "data-outcome", "all:all:REJECT", "scored") == "2"


def test_decisions_per_day_confidence_and_per_model_count_every_decision(v3_url, services_for, rows):
    _note, daily, confidence, models, _ = ai_callbacks.decision_panels(services_for(v3_url), 7)
    in_week = [d for d in rows.decisions if d["created_at"] >= NOW - timedelta(days=7)]
    assert sum(sum(trace.y) for trace in daily.data) == len(in_week)
    assert sum(sum(trace.y) for trace in confidence.data) == len(in_week)
    model_a = [d for d in in_week if d["model_used"] == "model-a"]
    assert cell(models, "data-model", "model-a", "total") == str(len(model_a))
    expected = sum(d["confidence"] for d in model_a) / len(model_a)
    assert cell(models, "data-model", "model-a", "avg_confidence") == f"{expected:.1f}"


def test_the_candles_are_read_with_one_exact_timestamp_query_per_symbol(v3_url, services_for):
    services = services_for(v3_url)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        if "market_data" in statement:
            statements.append(statement)

    event.listen(services.database.engine, "before_cursor_execute", record)
    ai_callbacks.decision_panels(services, 30)
    event.remove(services.database.engine, "before_cursor_execute", record)
    assert len(statements) == 2  # KRW-BTC and KRW-ETH
    assert all("market_data.timestamp IN" in s and "BETWEEN" not in s for s in statements)


def test_usage_kpis_and_tables_sum_the_ledger_of_the_look_back(v3_url, services_for):
    kpis, figure, tables = ai_callbacks.usage_panels(services_for(v3_url), 7, "day")
    assert text(one(kpis, "data-kpi", "llm-calls")) == "5"
    assert text(one(kpis, "data-kpi", "llm-tokens")) == "5,220"  # 1200 + 0 + (500 + 500) + 20 + 3000
    assert text(one(kpis, "data-kpi", "llm-cost")) == "$0.0470"
    assert text(one(kpis, "data-kpi", "llm-error-rate")) == "20.00%"
    # latencies 800, 900, 1200, 3000 (the estimated call has none): p50 1050, p95 1200 + 0.85 x 1800
    assert text(one(kpis, "data-kpi", "llm-latency-p50")) == "1,050 ms"
    assert text(one(kpis, "data-kpi", "llm-latency-p95")) == "2,730 ms"
    assert cell(tables, "data-usage", "route:ai_decision", "error_rate_pct") == "50.00%"
    assert cell(tables, "data-usage", "model:gpt-y", "cost_usd") == "$0.0070"
    assert sum(figure.data[0].y) == 5


def test_usage_per_hour_has_one_bar_per_hour_with_calls(v3_url, services_for):
    _kpis, figure, _tables = ai_callbacks.usage_panels(services_for(v3_url), 7, "hour")
    assert len(figure.data[0].x) == 5 and list(figure.data[1].y).count(1) == 1


def test_the_bill_is_set_against_the_ledger_of_its_window(v3_url, services_for):
    table = ai_callbacks.reconciliation_panel(services_for(v3_url), 7)
    bills = by_attribute(table, "data-bill")
    assert len(bills) == 2
    newest = bills[0]
    assert text(one(newest, "data-col", "ledger")) == "$0.0100"
    assert text(one(newest, "data-col", "difference")) == "+$0.0025"
    assert text(one(newest, "data-col", "difference_pct")) == "+20.00%"
    # The openai call at exactly window_end belongs to the next window.
    assert text(one(bills[1], "data-col", "ledger")) == "$0.0050"


def test_the_credit_is_the_newest_reading_per_provider_with_its_time(v3_url, services_for):
    credit = ai_callbacks.credit_panel(services_for(v3_url))
    assert text(one(credit, "data-credit", "anthropic")) == "$12.5000"
    assert text(one(credit, "data-credit", "openai")) == "$3.2500"
    assert "2026-01-30 20:00:00 KST" in text(credit)  # NOW - 1 h, in Asia/Seoul


def test_a_week6_database_says_each_panel_is_not_recorded(postgres, services_for):
    url = database(postgres, "week6")
    services = services_for(url)
    writer = WritableDatabase(url)
    with writer.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO agent_decisions (symbol, decision, confidence, model_used, created_at) "
            "VALUES ('KRW-BTC', 'REJECT', 80, 'm', %s)",
            (NOW - timedelta(hours=5),),
        )
    writer.dispose()
    _note, _daily, _conf, models, outcomes = ai_callbacks.decision_panels(services, 7)
    assert "not recorded by this CoinPilot version" in text(outcomes)
    assert one(outcomes, "data-not-recorded")
    assert cell(models, "data-model", "m", "total") == "1"
    kpis, _figure, _tables = ai_callbacks.usage_panels(services, 7, "day")
    assert "not recorded by this CoinPilot version" in text(kpis)
    assert "not recorded by this CoinPilot version" in text(ai_callbacks.reconciliation_panel(services, 7))
    assert "not recorded by this CoinPilot version" in text(ai_callbacks.credit_panel(services))


def test_an_empty_v3_database_says_so_plainly(postgres, services_for):
    services = services_for(database(postgres, "v3"))
    note, *_rest, outcomes = ai_callbacks.decision_panels(services, 7)
    assert text(note) == "No AI decisions in the last 7 days."
    assert one(outcomes, "data-empty", "outcomes")
    kpis, *_ = ai_callbacks.usage_panels(services, 7, "day")
    assert text(kpis) == "No LLM calls recorded in the last 7 days."
    assert one(ai_callbacks.reconciliation_panel(services, 7), "data-empty", "bills")
    assert text(ai_callbacks.credit_panel(services)) == "No credit balance recorded yet."


@pytest.mark.parametrize("forged", [0, 31, "7; DROP TABLE agent_decisions", None, 2.5, True, [7]])
def test_a_forged_look_back_is_refused_with_a_message(v3_url, services_for, forged):
    services = services_for(v3_url)
    note, *_ = ai_callbacks.decision_panels(services, forged)
    assert one(note, "data-problem", "invalid_input")
    assert "look-back days" in text(note)
    kpis, *_ = ai_callbacks.usage_panels(services, forged, "day")
    assert one(kpis, "data-problem", "invalid_input")


def test_a_forged_bucket_is_refused_with_a_message(v3_url, services_for):
    kpis, *_ = ai_callbacks.usage_panels(services_for(v3_url), 7, "minute")
    assert one(kpis, "data-problem", "invalid_input")


def test_the_url_sets_the_look_back_and_a_bad_one_falls_back_to_7_days(v3_url, services_for):
    from callbacks import shell as shell_callbacks
    from layouts import ids

    services = services_for(v3_url)

    def days_in(search):
        layout = shell_callbacks.render_page(services, "/ai", search, lambda p: p, lambda p: p.strip("/"))
        return one(layout, "id", ids.AI_DAYS)["props"]["value"]

    assert days_in("?days=14") == 14
    assert days_in("?days=99") == 7
    assert days_in("?days=abc") == 7
    assert ai_callbacks.ai_query(14) == "?days=14" and ai_callbacks.ai_query(7) == ""
    assert ai_callbacks.ai_query("<script>") == ""


def test_only_bills_whose_window_ends_inside_the_look_back_are_shown(v3_url, services_for):
    # The openai bill's window ends exactly 24 h ago: outside a 1-day look-back.
    bills = by_attribute(ai_callbacks.reconciliation_panel(services_for(v3_url), 1), "data-bill")
    assert len(bills) == 1 and "anthropic" in text(bills[0])


def test_the_page_and_its_panels_read_in_korean(v3_url, services_for, rows):
    services = services_for(v3_url)
    # What the bot and the providers recorded is shown as it is: model, route, feature, provider names.
    recorded = {
        word
        for row in [*rows.events, *rows.bills, *rows.credits, *rows.decisions]
        for field in ("route", "feature", "model", "model_used", "provider")
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_]*", str(row.get(field) or ""))
    }
    with using(language="ko"):
        shown = [
            ai_layout.page(7),
            *ai_callbacks.decision_panels(services, 7),
            *ai_callbacks.usage_panels(services, 7, "hour"),
            ai_callbacks.reconciliation_panel(services, 7),
            ai_callbacks.credit_panel(services),
        ]
        assert english_words(shown, recorded) == set()
        assert "4시간 적중률" in text(shown[5])
        assert cell(shown[5], "data-outcome", "all:all:SAFE", "hit_rate_pct") == "평가 안 함"


def test_the_not_recorded_panels_of_a_week6_database_read_in_korean(postgres, services_for):
    services = services_for(database(postgres, "week6"))
    with using(language="ko"):
        shown = [
            *ai_callbacks.decision_panels(services, 7),
            *ai_callbacks.usage_panels(services, 7, "day"),
            ai_callbacks.reconciliation_panel(services, 7),
            ai_callbacks.credit_panel(services),
        ]
        assert english_words(shown) == set()
        assert "이 CoinPilot 버전은 기록하지 않습니다" in text(shown[-1])
