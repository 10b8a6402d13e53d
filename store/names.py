"""Checks on the names and keys the store's small APIs take: bounded, so a caller's bug fails
loudly here instead of as a truncated value or a driver error later."""

from __future__ import annotations

import json
import re
from typing import Any

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,63}$")
MAX_KEY_LENGTH = 200
MAX_JSON_BYTES = 64 * 1024


def name(value: str, what: str) -> str:
    """A counter, namespace, event kind or channel: lower-case letters, digits and _ . : -, up to 64."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{what} must be 1-64 lower-case letters, digits or _ . : - (got {value!r})")
    return value


def key(value: str, what: str = "key") -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise ValueError(f"{what} must be a string of 1-{MAX_KEY_LENGTH} characters")
    return value


def json_value(value: Any, what: str) -> Any:
    """A value that JSON holds exactly (no NaN or infinity), at most 64 KiB encoded."""
    try:
        encoded = json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON: {exc}") from None
    if len(encoded.encode("utf-8")) > MAX_JSON_BYTES:
        raise ValueError(f"{what} is over {MAX_JSON_BYTES // 1024} KiB as JSON")
    return value
