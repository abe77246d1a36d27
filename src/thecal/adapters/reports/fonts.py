"""Fonts for the PDFs that cover the scripts a clinic meets in names and notes.

reportlab's built-in Helvetica has Latin-1 only: "Đặng", "Дмитрий" or "李" printed
as black boxes (issue 23). The body font is DejaVu Sans, which matplotlib (already a
dependency) ships inside its package: Latin with every accent, Greek, Cyrillic,
Armenian, Georgian, Hebrew, Arabic and the symbols a report uses (µ, ≤, →), embedded
as a subset. reportlab lays glyphs out left to right and does not shape, so a text
with Hebrew or Arabic goes through arabic-reshaper (joined letter forms) and
python-bidi (visual order) first. Chinese, Japanese and Korean runs use reportlab's
CID fonts (Adobe's Asian font packs, which every PDF viewer provides; not embedded). A character no
font here has (an emoji, a script DejaVu lacks) is printed as its code point,
"[U+1F600]", so the reader sees that something was there and what, never a box.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
import matplotlib
from bidi import get_display
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC = (
    "thecal-sans", "thecal-sans-bold", "thecal-sans-italic", "thecal-sans-bold-italic",
)  # fmt: skip
_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    SANS_ITALIC: "DejaVuSans-Oblique.ttf",
    SANS_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
CHINESE, JAPANESE, KOREAN = "STSong-Light", "HeiseiKakuGo-W5", "HYGothic-Medium"


def font_path(name: str) -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FILES[name]


@cache
def register() -> frozenset[int]:
    """Register the fonts once; returns the code points the body font has."""
    for name in _FILES:
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(
                SANS,
                bold,
                italic,
                [SANS, SANS_ITALIC, SANS_BOLD, SANS_BOLD_ITALIC][bold * 2 + italic],
            )
    for cid in (CHINESE, JAPANESE, KOREAN):
        pdfmetrics.registerFont(UnicodeCIDFont(cid))
    face = TTFont("thecal-cmap", str(font_path(SANS))).face
    return frozenset(face.charToGlyph)


def _cjk_font(ch: str, japanese: bool) -> str | None:
    cp = ord(ch)
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return KOREAN
    if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
        return JAPANESE
    if (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x3000 <= cp <= 0x303F
        or (0xFF00 <= cp <= 0xFFEF)
    ):
        return JAPANESE if japanese else CHINESE
    return None


def _kana(text: str) -> bool:
    return any(0x3040 <= ord(c) <= 0x30FF for c in text)


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def visual(text: str) -> str:
    """Hebrew and Arabic in the order and letter forms a left-to-right layout prints
    (each line of a wrapped paragraph is still laid out left to right: short texts,
    names and notes, are what the reports hold)."""
    if not _right_to_left(text):
        return text
    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))


def markup(text: str) -> str:
    """`text` as paragraph markup: escaped, right-to-left runs in visual order, each CJK
    run in its font, and any character no font has written as its code point."""
    covered = register()
    text = visual(text)
    japanese = _kana(text)
    out: list[str] = []
    run_font: str | None = None
    run: list[str] = []

    def flush() -> None:
        if run:
            body = escape("".join(run))
            out.append(f'<font name="{run_font}">{body}</font>' if run_font else body)
            run.clear()

    for ch in text:
        if ord(ch) in covered or ch in "\n\t":
            font = None
        else:
            font = _cjk_font(ch, japanese)
            if font is None and unicodedata.category(ch) != "Cf":
                flush()
                run_font = None
                out.append(f"[U+{ord(ch):04X}]")
                continue
            if font is None:  # an invisible format character (a joiner) the font lacks
                continue
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    return "".join(out)


def plain(text: str) -> str:
    """`text` for a single-font line (the page footer): what DejaVu lacks as code points."""
    covered = register()
    return "".join(c if ord(c) in covered else f"[U+{ord(c):04X}]" for c in visual(text))
