"""The Korean catalogue speaks the glossary (i18n/glossary.py): its words in use, the replaced and
developer words nowhere, particles chosen by the word before them."""

from __future__ import annotations

import re

import pytest

from i18n import Message, catalogue, t
from i18n.glossary import DEVELOPER_WORDS, TERMS
from i18n.josa import particle

KOREAN = catalogue("ko")


def _messages_containing(word: str) -> list[str]:
    # A replaced word counts only on its own (대사 is not in 대사관; 트립 alone, not inside another word).
    pattern = re.compile(rf"(?<![가-힣]){re.escape(word)}(?![가-힣])")
    return [key for key, text in KOREAN.items() if pattern.search(text)]


@pytest.mark.parametrize("concept", sorted(TERMS))
def test_each_glossary_word_is_the_one_the_korean_catalogue_uses(concept):
    word, replaced = TERMS[concept]
    assert any(word in text for text in KOREAN.values()), f"{word!r} ({concept}) is used nowhere"
    for old in replaced:
        assert _messages_containing(old) == [], f"{old!r} is still in the Korean catalogue"


@pytest.mark.parametrize("word", DEVELOPER_WORDS)
def test_no_developer_word_in_the_korean_ui(word):
    assert [key for key, text in KOREAN.items() if word in text] == []


@pytest.mark.parametrize(
    ("word", "spec", "expected"),
    [
        ("수량", "은", "수량은"),
        ("심볼", "은", "심볼은"),
        ("가격", "이", "가격이"),
        ("시세", "이", "시세가"),
        ("KRW-BTC", "은", "KRW-BTC는"),  # 씨: a vowel
        ("NOPE", "을", "NOPE를"),  # 이: a vowel
        ("3", "은", "3은"),  # 삼
        ("2", "은", "2는"),  # 이
        ("'x1'", "이", "'x1'이"),  # the quote is skipped: 일
        ("파일", "으로", "파일로"),  # after ㄹ, 로
        ("값", "으로", "값으로"),
    ],
)
def test_a_particle_follows_the_final_sound_of_the_word_before_it(word, spec, expected):
    assert word + particle(word, spec) == expected


def test_a_message_with_a_particle_spec_reads_naturally_in_korean_and_plainly_in_english():
    message = Message("inputs.not_a_symbol", value="'NOPE'")
    assert message.text("ko").startswith("'NOPE'는 ")
    assert message.text("en").startswith("'NOPE' is not")
    assert t("inputs.whole_number", "ko", name="수량", got="x").startswith("수량은 정수여야")
