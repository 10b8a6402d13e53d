"""The bot's limits and where they come from: its strategy file, its environment, Redis, its code."""

MESSAGES = {
    # data.strategy_file: why the bot falls back to its code defaults, or a key it cannot use.
    "strategy.file_missing": "no file at {path}",
    "strategy.file_unreadable": "{path} cannot be read ({detail})",
    "strategy.file_too_large": "the file is {size} bytes, more than a strategy file holds",
    "strategy.not_yaml": "not valid YAML (at line:column {where})",
    "strategy.file_empty": "the file is empty",
    "strategy.not_mapping": "'{what}' is not a mapping of keys",
    "strategy.bad_value": "{setting} = {value} is not a value the bot can use; its default is shown",
    "strategy.regimes_not_mapping": "'regimes' is not a mapping: the bot cannot size any entry",
    "strategy.fallback": "Strategy file not used ({why}): the bot runs on its code defaults, shown here.",
    # data.risk.LimitSource
    "risk.source.strategy_file": "strategy file",
    "risk.source.bot_default": "bot default",
    "risk.source.bot_code": "fixed in the bot",
    "risk.source.dashboard_setting": "dashboard setting",
    "risk.source.environment": "environment",
    "risk.source.redis": "Redis (the bot's)",
    "risk.source.forecast": "forecast",
    "risk.source.balance": "cash balance",
    "risk.source.losses_ignored": (
        "The strategy file says {configured}, but the bot's code starts the cooldown after {used} losses."
    ),
    "risk.reference.key_unreadable": (
        "Today's reference-equity key holds {value}, which the bot cannot read: it writes a new one at its next entry check."
    ),
    "risk.reference.forecast_note": (
        "Reference equity is a forecast: the bot fixes it for {day} when it first evaluates an entry today "
        "(cash + open positions at that moment, kept in Redis until midnight UTC). Until then it moves with prices."
    ),
    "risk.reference.balance_note": (
        "This CoinPilot version (before the BUY/SELL split of v3.2.1) measures its limits against the cash balance, "
        "which moves with every buy."
    ),
    # The Risk page's table of limits.
    "risk.sources.title": "The bot's limits and where they come from",
    "risk.sources.file": "Strategy file {path} (changed {modified}; the bot reads it when it starts).",
    "risk.sources.no_file": (
        "No strategy file configured (COINPILOT_STRATEGY_CONFIG): the dashboard's settings, else the bot's code "
        "defaults."
    ),
    "risk.sources.file_problem": "Strategy file",
    "risk.sources.redis_problem": "Redis",
    "risk.sources.reference": "Reference equity (the base of every limit)",
    "risk.sources.balance": "Cash balance (the base of every limit)",
    "risk.sources.daily_loss": "Daily loss limit",
    "risk.sources.daily_trades_buys": "Daily trade limit (BUYs)",
    "risk.sources.daily_trades": "Daily trade limit (trades)",
    "risk.sources.cooldown": "Cooldown",
    "risk.sources.cooldown_value": "{losses} losses → {hours} h",
    "risk.sources.per_order": "Per order",
    "risk.sources.per_order_note": "halved while volatility is high",
    "risk.sources.exposure": "Total exposure",
    "risk.sources.positions": "Open positions at most",
    "risk.sources.duplicates": "A second entry in a held coin",
    "risk.sources.allowed": "allowed",
    "risk.sources.not_allowed": "not allowed",
    "risk.sources.fee_buffer": "Fee buffer kept from cash",
    "risk.sources.pnl_note": (
        "Today's PnL against the limit is the bot's own figure: realized on its sells, fees not included."
    ),
    # What the bot does with a BUY signal now (data.risk.EntryRules).
    "risk.entry.title": "What the bot does with a BUY signal now",
    "risk.entry.not_modelled": "Sizing by regime and reference equity came with later CoinPilot versions.",
    "risk.entry.cash": "Cash",
    "risk.entry.cash_value": "{cash} (usable {cap} after the fee buffer)",
    "risk.entry.exposure": "Exposure",
    "risk.entry.exposure_value": "{used} of {limit} (room {room})",
    "risk.entry.open_positions": "Open positions",
    "risk.entry.per_order_cap": "Per-order cap",
    "risk.entry.per_order_value": "{cap} ({volatility})",
    "risk.entry.volatility_high": "high volatility: halved",
    "risk.entry.volatility_normal": "normal volatility",
    "risk.entry.volatility_unknown": "volatility state unknown: as normal",
    "risk.entry.gate": "Every BUY is refused today: {why}",
    "risk.entry.gate_halted": "trading is halted for the day",
    "risk.entry.gate_cooldown": "a cooldown is running",
    "risk.entry.gate_trades": "the daily limit of {limit} BUYs is reached",
    "risk.entry.gate_loss": "the daily loss limit is reached (the bot halts at this check)",
    "risk.entry.never_unknown": "the bot does not enter before it knows the regime",
    "risk.entry.silent_exposure": "exposure limit reached ({used} of {limit})",
    "risk.entry.silent_cash": "no cash left to invest",
    "risk.entry.silent_zero": "the regime's order size is 0",
    "risk.entry.reject_no_account": "no account row: the bot refuses every order",
    "risk.entry.reject_no_reference": "reference equity is 0 or less",
    "risk.entry.reject_per_order": "the order ({order}) is above the per-order cap ({cap})",
    "risk.entry.reject_per_order_volatile": (
        "the order ({order}) is above the per-order cap, halved for high volatility ({cap})"
    ),
    "risk.entry.reject_positions": "{limit} positions are open already",
    "risk.entry.target_value": "×{ratio} → target {target}",
    "risk.entry.ratio_title": "The regime's position_size_ratio in the strategy file",
    "risk.entry.outcome.would_buy": "would buy",
    "risk.entry.outcome.skipped_silently": "skipped, no status",
    "risk.entry.outcome.rejected": "refused",
    "risk.entry.outcome.never": "never",
    "risk.entry.how": (
        "Target = reference equity × per-order share × the regime's ratio; the order is the least of the target, "
        "the usable cash and the exposure room. At 0 the bot skips the BUY without writing its status; "
        "otherwise its risk check can refuse it (status SKIP, Risk Rejected). Then the AI reviews it."
    ),
    "risk.guard.budget_by_regime": "AI calls per hour / per day, by regime:",
    "risk.audit.v3_note": (
        "A v3 bot writes no risk-audit rows: its refusals appear as SKIP reasons in its status (Market, Bot Brain), "
        "and halts and cooldowns in today's state above."
    ),
    "ai.budget.title": "The bot's AI review budget",
    "ai.budget.hour": "AI reviews this hour ({hour} UTC)",
    "ai.budget.day": "AI reviews today (UTC)",
    "ai.budget.note": "Against the lowest of the strategy file's budgets per regime (per hour / per day): {regimes}.",
    "system.card.strategy": "Strategy file",
    "system.fact.path": "Path",
    "system.fact.modified": "Changed",
    "system.fact.limits": "Limits",
    "system.strategy_summary": "loss {loss}% · {trades} BUYs · order {order}% · exposure {exposure}% · {positions} positions",
    "system.strategy_none": "Not configured: the dashboard's settings or the bot's defaults",
    "system.strategy_problem": "Read with problems: see Risk",
    "system.strategy_read": "Read",
}
