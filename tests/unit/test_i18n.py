"""The catalogues and the per-browser display preferences."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from i18n import LANGUAGES, Message, Preferences, catalogue, t, using
from i18n.catalogue import placeholders
from layouts import format as fmt

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("layouts", "callbacks", "dashboard", "data", "alerts", "store")


def test_every_language_has_the_same_keys():
    keys = {language: set(catalogue(language)) for language in LANGUAGES}
    for language in LANGUAGES:
        for other in LANGUAGES:
            missing = sorted(keys[other] - keys[language])
            assert not missing, f"in {other} but not in {language}: {missing}"


def test_every_translation_takes_the_same_placeholders():
    english = catalogue("en")
    for language in LANGUAGES:
        for key, text in catalogue(language).items():
            assert placeholders(text) == placeholders(english[key]), key


def test_no_message_is_empty_or_untranslated_english_in_korean():
    korean, english = catalogue("ko"), catalogue("en")
    for key, text in korean.items():
        assert text.strip(), key
        # Korean text carries Hangul unless it is a symbol, number or name that reads the same.
        if re.search(r"[A-Za-z]{4,}", english[key]) and text == english[key]:
            assert not re.search(r"\b(the|and|of|is|not|no)\b", text), f"{key} is English in Korean: {text!r}"


def _literal_keys_used_in_code():
    """Every t("...") and Message("...") with a literal key in the source."""
    used = {}
    for package in SOURCE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name in ("t", "Message") and isinstance(node.args[0].value, str):
                        used.setdefault(node.args[0].value, path.relative_to(ROOT))
    return used


def test_every_key_the_code_asks_for_exists():
    english = catalogue("en")
    missing = {key: str(where) for key, where in _literal_keys_used_in_code().items() if key not in english}
    assert not missing


def test_a_key_missing_everywhere_shows_the_key_not_a_crash():
    assert t("no.such.key") == "no.such.key"


def test_korean_is_the_default_language():
    assert Preferences().language == "ko"


def test_t_uses_the_current_language():
    with using(language="ko"):
        assert t("page.market") == "시장"
    with using(language="en"):
        assert t("page.market") == "Market"


def test_a_message_is_translated_when_shown_not_when_made():
    message = Message("format.ago", span="5 s")
    with using(language="ko"):
        assert str(message) == "5 s 전"
    with using(language="en"):
        assert str(message) == "5 s ago"
        assert message.to_plotly_json() == "5 s ago"


@pytest.mark.parametrize(
    "query, cookies, expected",
    [
        ({}, {}, Preferences()),
        ({}, {"cp_lang": "en", "cp_theme": "light"}, Preferences(language="en", theme="light")),
        ({"lang": "ko"}, {"cp_lang": "en"}, Preferences(language="ko")),
        ({"lang": "fr"}, {"cp_lang": "de"}, Preferences()),
        ({"colours": "WESTERN", "units": "compact"}, {}, Preferences(colours="western", units="compact")),
    ],
)
def test_preferences_come_from_defaults_then_cookies_then_the_link(query, cookies, expected):
    resolved, _ = Preferences().resolve(query, cookies)
    assert resolved == expected


def test_a_link_choice_is_returned_to_be_remembered():
    _, remembered = Preferences().resolve({"lang": "en", "theme": "bogus"}, {})
    assert remembered == {"cp_lang": "en"}


@pytest.mark.parametrize(
    "amount, text",
    [
        (8_847_360, "884.7만 원"),
        (123_400_000, "1.23억 원"),
        (-8_847_360, "-884.7만 원"),
        (9_999, "9,999원"),
        (100_000_000, "1억 원"),
    ],
)
def test_compact_krw_uses_man_and_eok(amount, text):
    with using(language="ko", units="compact"):
        assert fmt.krw(amount) == text


def test_compact_krw_can_be_refused_for_tooltips_and_exports():
    with using(language="ko", units="compact"):
        assert fmt.krw(8_847_360, compact=False) == "8,847,360원"


def test_full_krw_in_each_language():
    with using(language="ko"):
        assert fmt.krw(1234567.8, signed=True) == "+1,234,568원"
    with using(language="en"):
        assert fmt.krw(1234567.8) == "1,234,568 KRW"


def test_ages_read_naturally_in_korean():
    with using(language="ko"):
        assert fmt.age(150) == "2분 30초 전"
        assert fmt.age(7300) == "2시간 1분 전"
