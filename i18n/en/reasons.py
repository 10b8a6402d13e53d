"""The families of the bot's status reasons (data.status_reasons) and their sub-reasons."""

MESSAGES = {
    "reason.family.risk_rejected": "Risk check refused",
    "reason.family.ai_prefilter": "AI not asked (pre-filter)",
    "reason.family.ai_guardrail": "AI guardrail",
    "reason.family.ai_rejected": "AI rejected or order failed",
    "reason.family.sell_done": "Sold",
    "reason.family.sell_failed": "Sell failed",
    "reason.family.no_reason": "No reason",
    "reason.family.other": "Other",
    "reason.buy_no_reason": "The bot writes no reason with a BUY: the AI approved and the order went through.",
    "reason.risk.exposure_full": "exposure limit reached",
    "reason.risk.cash": "not enough cash",
    "reason.risk.zero_order": "order size 0",
    "reason.risk.no_account": "no account row",
    "reason.risk.no_reference": "no reference equity",
    "reason.risk.halted": "trading halted",
    "reason.risk.cooldown": "cooldown",
    "reason.risk.trade_limit": "daily trade limit",
    "reason.risk.loss_limit": "daily loss limit",
    "reason.risk.per_order": "per-order cap",
    "reason.risk.exposure": "total exposure",
    "reason.risk.positions": "open-position limit",
    "reason.risk.duplicate": "coin already held",
    "reason.risk.other": "another risk rule",
    "reason.guard.global_block": "all AI reviews blocked",
    "reason.guard.symbol_cooldown": "this coin's AI cooldown",
    "reason.guard.hour_budget": "hourly AI budget used up",
    "reason.guard.day_budget": "daily AI budget used up",
    "reason.guard.other": "another guardrail",
    "market.silence.entry_skipped": (
        "The candles are fresh and the bot's other symbols report, but a BUY of this coin would be sized at 0 now "
        "({detail}): the bot skips such a signal without writing its status. It reports again when the signal "
        "passes or room frees up."
    ),
    "market.hwm_at_exit": "High-water mark at exit",
    "market.not_recorded": "not recorded",
    "market.action.sell_failed": "Exit signal met, but the sell order failed: the position is still held; the bot retries.",
    "strip.symbol_skipping": "{symbol}: no status, skipping BUY (no room)",
    "alerts.value.entry_skipped": "no status: the bot skips BUY signals it cannot size ({detail})",
}
