"""Reconciliation (System page): realized PnL per UTC day and positions, against the bot's."""

MESSAGES = {
    "reconciliation.fees": (
        "Compared as the bot counts its daily PnL: each sell adds (sell price − average cost) × quantity, fees "
        "not included (the trade log's realized PnL, which includes fees, differs by the fees). A difference "
        "beyond the larger of 1 KRW and 0.01 % of the day's turnover (BUY and SELL value) is a discrepancy."
    ),
    "reconciliation.days_title": "Realized PnL per UTC day",
    "reconciliation.positions_title": "Positions against their fills",
    "reconciliation.days_ok": (
        "Realized PnL agrees with the bot's daily_risk_state.total_pnl on all {n} UTC day(s) checked "
        "(last {window} days)."
    ),
    "reconciliation.days_bad": (
        "{bad} of {n} UTC day(s) disagree with the bot's daily_risk_state.total_pnl (last {window} days)."
    ),
    "reconciliation.no_days": "No fills and no bot PnL in the last {window} days: nothing to reconcile.",
    "reconciliation.positions_ok": "The positions table matches the fills for all {n} symbol(s) held.",
    "reconciliation.positions_bad": "{bad} of {n} symbol(s): the positions table does not match the fills that built them.",
    "reconciliation.no_positions": "No open positions on either side.",
    "reconciliation.no_row": "no daily_risk_state row",
    "reconciliation.unmatched": " ({n} sell(s) without a buy before them: their PnL is unknown to the dashboard)",
    "reconciliation.agrees": "agrees",
    "reconciliation.discrepancy": "DISCREPANCY",
    "reconciliation.day_fills": "{day}: the {n} fill(s) behind the dashboard's figure",
    "reconciliation.symbol_fills": "{symbol}: the {n} fill(s) since it was last flat",
    "reconciliation.col.executed": "Executed",
    "reconciliation.col.order_id": "Order id",
    "reconciliation.col.symbol": "Symbol",
    "reconciliation.col.side": "Side",
    "reconciliation.col.price": "Price",
    "reconciliation.col.quantity": "Quantity",
    "reconciliation.col.fee": "Fee",
    "reconciliation.col.realized_pnl": "PnL before fees",
    "reconciliation.col.day": "UTC day",
    "reconciliation.col.dashboard": "Dashboard (fills)",
    "reconciliation.col.bot": "Bot (total_pnl)",
    "reconciliation.col.difference": "Difference",
    "reconciliation.col.tolerance": "Tolerance",
    "reconciliation.col.turnover": "Turnover",
    "reconciliation.col.check": "Check",
    "reconciliation.col.fills_quantity": "Quantity (fills)",
    "reconciliation.col.bot_quantity": "Quantity (positions)",
    "reconciliation.col.fills_avg": "Avg cost (fills)",
    "reconciliation.col.bot_avg": "Avg cost (positions)",
    "reconciliation.col.cost_difference": "Cost difference",
}
