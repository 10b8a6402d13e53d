"""The operator's words and display preferences: Korean and English message catalogues, and
the language, theme, market colours and KRW units of the browser a request comes from.

Use it like this (layouts, callbacks, and the alerts watcher; `data/` may build `Message`s):

    from i18n import t, Message, current
    t("market.title")                       # a sentence in the request's language
    t("risk.limit_reached", count=10, limit=10)
    Message("data.unreachable", what="Redis")  # translated when shown, so it can be cached
    current().colours                       # "korean" (red up) or "western" (green up)

Keys live in `i18n/en/<area>.py` and `i18n/ko/<area>.py` (`MESSAGES = {...}`): every module in
those packages is merged, a key defined twice is an error, and a test fails when a key is in one
language and not the other, or when their {placeholders} differ."""

from i18n.catalogue import LANGUAGES, Message, catalogue, t
from i18n.preferences import (
    COLOUR_CONVENTIONS,
    THEMES,
    Preferences,
    current,
    using,
)

__all__ = [
    "COLOUR_CONVENTIONS",
    "LANGUAGES",
    "THEMES",
    "Message",
    "Preferences",
    "catalogue",
    "current",
    "t",
    "using",
]
