"""Risk page: trading state, today's limits, daily PnL, AI guardrails, volatility, audit log."""

MESSAGES = {
    "risk.title": "Risk",
    "risk.section_gauge": "Today's PnL vs. daily loss limit",
    "risk.section_limits": "Today's limits",
    "risk.section_daily_pnl": "Daily PnL, last 30 days (UTC days, as the bot counts them)",
    "risk.section_audit": "Risk audit log (newest first)",
    "risk.state.title": "Trading state",
    "risk.state.name.running": "trading",
    "risk.state.name.limit_reached": "daily limit reached",
    "risk.state.name.cooldown": "cooling down",
    "risk.state.name.halted": "halted",
    "risk.state.explain.running": "The bot may open new positions.",
    "risk.state.explain.limit_reached": (
        "A daily limit is reached (BUYs, or the loss limit before the bot has halted): no new entries until the "
        "next UTC day; exits still run."
    ),
    "risk.state.explain.cooldown": "Consecutive losses: no new positions until the cooldown ends.",
    "risk.state.explain.halted": "Trading halted for today (daily loss limit or a manual halt).",
    "risk.state.no_row": (
        " No risk record for {day} yet: the bot writes it on its first loop of the UTC day, so it has not run "
        "since midnight UTC."
    ),
    "risk.state.today": "Today: {day}",
    "risk.no_warnings": "No risk limit reached today.",
    "risk.warning_title": "Limit reached",
    "risk.warning.loss_limit": (
        "Daily loss limit reached: today's PnL is {pnl_pct}% of the reference equity (limit -{limit_pct}%). "
        "The bot halts trading when it next evaluates an entry."
    ),
    "risk.warning.loss_limit_halted": (
        "Daily loss limit reached: today's PnL is {pnl_pct}% of the reference equity (limit -{limit_pct}%)."
    ),
    "risk.warning.trade_limit_buys": (
        "Daily trade limit reached: {count} of {limit} BUYs (the bot counts entries only). "
        "No new entries until the next UTC day; exits still run."
    ),
    "risk.warning.trade_limit_trades": (
        "Daily trade limit reached: {count} of {limit} trades. No new entries until the next UTC day; exits still run."
    ),
    "risk.warning.count_mismatch": (
        "Bookkeeping mismatch in today's row: trade_count {trades} != buy_count {buys} + sell_count {sells}."
    ),
    "risk.warning.consecutive_losses": "{count} consecutive losses (limit {limit}).",
    "risk.warning.halted": "The bot has halted trading for today.",
    "risk.no_cash": "No cash balance recorded (account_state row 1): limits in % of balance cannot be computed.",
    "risk.losses_title": "Consecutive losses",
    "risk.losses_note": "{count} losses in a row start a {hours} h cooldown.",
    "risk.trades_title_buys": "BUYs today (the daily limit counts entries)",
    "risk.trades_note_buys": "BUY {buys} · SELL {sells} · total {total} for {day}.",
    "risk.trades_mismatch": " The counts disagree (see the warning).",
    "risk.trades_title": "Trades today",
    "risk.trades_note": "Trades counted by the bot for {day} (this CoinPilot version does not split BUY/SELL).",
    "risk.cooldown.none": "No cooldown active.",
    "risk.cooldown.ended": "Cooldown ended at {until}.",
    "risk.cooldown.left": "Cooldown until {until}: {left} left.",
    "risk.cooldown.hms": "{h} h {m} min {s} s",
    "risk.cooldown.ms": "{m} min {s} s",
    "risk.gauge_title": "{pnl} today · limit -{limit_pct}% ({limit_krw})",
    "risk.daily.no_history": "No daily risk state recorded in the last 30 days.",
    "risk.daily.trace": "Daily PnL",
    "risk.daily.hover": "%{x}: %{y:,.0f} KRW<extra></extra>",
    "risk.daily.axis_value": "KRW",
    "risk.daily.axis_day": "UTC date",
    "risk.daily.limit_line": "today's loss limit {limit}",
    "risk.daily.limit_far": "{axis} · {limit} (far below these bars)",
    "risk.audit.filter": "All violation types",
    "risk.audit.time": "Time",
    "risk.audit.type": "Type",
    "risk.audit.description": "Description",
    "risk.audit.order": "Order",
    "risk.audit.no_rows": "No risk-audit events.",
    "risk.guard.title": "AI guardrails",
    "risk.guard.volatility_title": "Volatility",
    "risk.guard.no_keys": "No AI guardrail keys: not recorded by this CoinPilot version, or nothing set.",
    "risk.guard.global_block": "Global AI block",
    "risk.guard.blocked": "Blocked: {left} left",
    "risk.guard.not_blocked": "Not blocked",
    "risk.guard.error_streak": "AI error streak",
    "risk.guard.calls_hour": "AI calls this hour ({hour} UTC)",
    "risk.guard.calls_day": "AI calls today ({day} UTC)",
    "risk.guard.unreadable": "unreadable (see the warning)",
    "risk.guard.symbol": "Symbol",
    "risk.guard.cooldown": "AI cooldown",
    "risk.guard.rejects": "AI rejects (30 min)",
    "risk.guard.cooling": "{left} left",
    "risk.guard.no_cooldown": "none",
    "risk.guard.no_symbols": "No symbols known: per-symbol cooldowns cannot be listed.",
    "risk.guard.key_problem": "Unreadable key",
    "risk.guard.volatility_absent": "Volatility: not recorded by this CoinPilot version.",
    "risk.guard.current_volatility": "Current volatility",
    "risk.guard.high": "High volatility",
    "risk.guard.yes": "yes",
    "risk.guard.no": "no",
    "risk.guard.as_of": "As of",
    "risk.guard.volatility_problem": "Volatility state",
}
