"""Builds assets/coinpilot-hangul.woff2: Pretendard's variable font cut down to the 2,350 Hangul
syllables of KS X 1001, the compatibility jamo and CJK punctuation, every weight in one file.

    cd scripts/korean-font && npm ci && ../../.venv/bin/pip install fonttools brotli \
        && ../../.venv/bin/python build.py

The subset is a Modified Version under the SIL Open Font License, and "Pretendard" is a Reserved
Font Name, so the font's own names (family, full, PostScript, named instances) become "CoinPilot
Hangul"; the copyright, trademark and licence records stay as they are.

The full font is 2 MB; the 2,350 syllables are the ones Korean text uses in practice (the KS X
1001 set every Korean code page has), and a syllable outside it falls back to the next font in
the CSS stack instead of an empty box wherever the machine has any Korean font. The @font-face in
assets/dashboard.css declares the same unicode-range, so a page with no Korean text downloads
nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fontTools import subset

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "node_modules" / "pretendard"
SOURCE = PACKAGE / "dist" / "web" / "variable" / "woff2" / "PretendardVariable.woff2"
ASSETS = HERE.parent.parent / "assets"
OUTPUT = ASSETS / "coinpilot-hangul.woff2"
LICENCE = ASSETS / "pretendard.LICENSE.txt"

# OFL section 3: a Modified Version may not use the Reserved Font Name. Name IDs that name the
# font itself (1 family, 3 unique ID, 4 full name, 6 PostScript name, 16 typographic family,
# 25 variations PostScript prefix, 256+ named instances); the notices (0, 7, 9, 13, 14) stay.
RENAMED = [("PretendardVariable", "CoinPilotHangul"), ("Pretendard Variable", "CoinPilot Hangul")]
NOTICE_IDS = {0, 7, 8, 9, 10, 11, 12, 13, 14}


def rename(font) -> None:
    for record in font["name"].names:
        if record.nameID in NOTICE_IDS:
            continue
        text = record.toUnicode()
        for old, new in RENAMED:
            text = text.replace(old, new)
        if "Pretendard" in text:
            raise SystemExit(f"name ID {record.nameID} still says Pretendard: {text!r}")
        record.string = text


# Kept in step with the unicode-range of the @font-face in assets/dashboard.css.
EXTRA_RANGES = [
    (0x3000, 0x303F),  # CJK symbols and punctuation (「」, 〜)
    (0x3131, 0x318E),  # Hangul compatibility jamo (ㅋ, ㅠ)
]


def ks_x_1001_hangul() -> list[int]:
    """The 2,350 precomposed syllables of KS X 1001: rows 0xB0-0xC8 of EUC-KR, 94 cells each."""
    syllables = []
    for lead in range(0xB0, 0xC9):
        for trail in range(0xA1, 0xFF):
            syllables.append(ord(bytes([lead, trail]).decode("euc_kr")))
    return syllables


def main() -> None:
    hangul = ks_x_1001_hangul()
    assert len(hangul) == 2350 and all(0xAC00 <= code <= 0xD7A3 for code in hangul)
    unicodes = hangul + [code for start, end in EXTRA_RANGES for code in range(start, end + 1)]
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]  # keep the copyright and licence names the OFL asks to keep
    options.notdef_outline = True
    font = subset.load_font(str(SOURCE), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font)
    subset.save_font(font, str(OUTPUT), options)
    shutil.copyfile(PACKAGE / "dist" / "LICENSE.txt", LICENCE)
    print(f"{OUTPUT.name}: {OUTPUT.stat().st_size / 1000:.0f} KB, {len(unicodes)} code points")


if __name__ == "__main__":
    main()
