"""The one symbol-form resolver: a market is stored as KRW-BTC by some deployments and BTC-KRW by
others, and every SQL lookup and Redis key asks here for the forms to try."""

from __future__ import annotations

import re

# Used with fullmatch: `$` alone also matches before a trailing newline ("KRW-X\n").
_SYMBOL_RE = re.compile(r"[A-Z0-9]{1,10}-[A-Z0-9]{1,10}")


def is_valid_symbol_format(symbol: object) -> bool:
    """An Upbit market code (KRW-BTC) or its reversed form (BTC-KRW)."""
    return isinstance(symbol, str) and bool(_SYMBOL_RE.fullmatch(symbol))


def alternate_symbol(symbol: str) -> str:
    """KRW-BTC <-> BTC-KRW: deployments store either form."""
    base, _, quote = symbol.partition("-")
    return f"{quote}-{base}" if quote else symbol


def symbol_forms(symbol: str) -> tuple[str, ...]:
    """The forms a symbol may be stored under, the one asked for first (for `IN (...)` and keys)."""
    return tuple(dict.fromkeys((symbol, alternate_symbol(symbol))))


def same_market(first: str, second: str) -> bool:
    """True when two symbols name the same market in either form."""
    return second in symbol_forms(first)


def forms_of_all(symbols) -> tuple[str, ...]:
    """Every form of every symbol, each once: a filter that matches rows stored either way."""
    return tuple(dict.fromkeys(form for symbol in symbols for form in symbol_forms(symbol)))


def resolve(symbol: str, known: dict):
    """The entry of `known` (keyed by symbol as stored) for `symbol` in either form, or None."""
    for form in symbol_forms(symbol):
        if form in known:
            return known[form]
    return None
