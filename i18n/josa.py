"""Korean particles (조사) chosen by the final sound of the word before them.

A catalogue message writes `{name:은}` where Korean needs 은/는 after a value: the particle is "은"
after a final consonant (받침) and "는" after a vowel, so a filled-in message reads "수량은" and
"심볼는" is never shown (nor the machine-like "은(는)"). The format spec names the form used after a
consonant; PAIRS gives its partner. Words that do not end in Hangul are read as a Korean speaker reads
them aloud: digits by their Korean names (1 일, 2 이, 3 삼...), Latin letters by their names (B 비,
L 엘, M 엠...), closing quotes and brackets skipped.
"""

from __future__ import annotations

# After a final consonant -> after a vowel. "으로" is special: after ㄹ it is "로" as after a vowel.
PAIRS = {"은": "는", "이": "가", "을": "를", "과": "와", "아": "야", "으로": "로", "이라": "라", "이다": "다"}
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
RIEUL = 8  # the final consonant index of ㄹ
# Whether each digit's Korean name ends in a consonant, and whether that consonant is ㄹ.
_DIGITS = {
    "0": (True, False),  # 영
    "1": (True, True),  # 일
    "2": (False, False),  # 이
    "3": (True, False),  # 삼
    "4": (False, False),  # 사
    "5": (False, False),  # 오
    "6": (True, False),  # 육
    "7": (True, True),  # 칠
    "8": (True, True),  # 팔
    "9": (False, False),  # 구
}
# Latin letters whose Korean names end in a consonant: L 엘 (ㄹ), M 엠, N 엔, R 알 (ㄹ).
_LETTERS = {"l": (True, True), "m": (True, False), "n": (True, False), "r": (True, True)}
_SKIPPED = "'\"’”)]}>」』 .,!?%"


def final_sound(word: str) -> tuple[bool, bool]:
    """(ends in a consonant, that consonant is ㄹ) for the last sounded character of `word`."""
    for char in reversed(word):
        if char in _SKIPPED:
            continue
        code = ord(char)
        if HANGUL_FIRST <= code <= HANGUL_LAST:
            final = (code - HANGUL_FIRST) % 28
            return final != 0, final == RIEUL
        if char in _DIGITS:
            return _DIGITS[char]
        if char.isalpha():
            return _LETTERS.get(char.lower(), (False, False))
        return False, False
    return False, False


def particle(word: str, after_consonant: str) -> str:
    """The particle `after_consonant` (a key of PAIRS) or its partner, as `word` ends."""
    partner = PAIRS[after_consonant]
    consonant, rieul = final_sound(word)
    if after_consonant == "으로" and rieul:
        return partner
    return after_consonant if consonant else partner


def is_particle_spec(spec: str) -> bool:
    return spec in PAIRS
