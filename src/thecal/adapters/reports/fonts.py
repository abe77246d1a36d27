"""Fonts for the PDFs that cover the scripts a clinic meets in names and notes.

reportlab's built-in Helvetica has Latin-1 only: "Đặng", "Дмитрий" or "李" printed
as black boxes (issue 23). The body font is DejaVu Sans, which matplotlib (already a
dependency) ships inside its package: Latin with every accent, Greek, Cyrillic,
Armenian, Georgian, Hebrew, Arabic and the symbols a report uses (µ, ≤, →), embedded
as a subset. reportlab lays glyphs out left to right, so a right-to-left text goes
through arabic-reshaper (joined letter forms) and the bidi algorithm (visual order,
brackets mirrored) first (direction.py). Chinese, Japanese and Korean runs use
reportlab's CID fonts (Adobe's Asian font packs, which every PDF viewer provides;
not embedded). Indic scripts, Sinhala, Thai, Lao, Khmer, Myanmar, Tibetan and the
right-to-left Syriac, Thaana, N'Ko and Adlam need shaping (conjuncts, vowel signs
drawn before their consonant, joined letters): each run is set in that script's Noto
face (its Bold in a bold heading or table head, where the machine has it) and shaped
by HarfBuzz (uharfbuzz, through reportlab's `shaping`), when the machine has the face
(Debian's fonts-noto-core, `make fonts`; the directories searched are
THECAL_FONT_DIRS, colon separated, or the system's font directories). A character no
font here has (an emoji, a script without its face) is printed as its code point,
"[U+1F600]", so the reader sees that something was there and what, never a box or a
misdrawn name.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from thecal.adapters.reports.direction import for_shaping, visual

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
# the scripts that need shaping, by Unicode block, and the Noto Sans face for each
SHAPED_SCRIPTS = (
    (0x0900, 0x097F, "NotoSansDevanagari-Regular.ttf"),
    (0x0980, 0x09FF, "NotoSansBengali-Regular.ttf"),
    (0x0A00, 0x0A7F, "NotoSansGurmukhi-Regular.ttf"),
    (0x0A80, 0x0AFF, "NotoSansGujarati-Regular.ttf"),
    (0x0B00, 0x0B7F, "NotoSansOriya-Regular.ttf"),
    (0x0B80, 0x0BFF, "NotoSansTamil-Regular.ttf"),
    (0x0C00, 0x0C7F, "NotoSansTelugu-Regular.ttf"),
    (0x0C80, 0x0CFF, "NotoSansKannada-Regular.ttf"),
    (0x0D00, 0x0D7F, "NotoSansMalayalam-Regular.ttf"),
    (0x0D80, 0x0DFF, "NotoSansSinhala-Regular.ttf"),
    (0x0E00, 0x0E7F, "NotoSansThai-Regular.ttf"),
    (0x0E80, 0x0EFF, "NotoSansLao-Regular.ttf"),
    (0x1000, 0x109F, "NotoSansMyanmar-Regular.ttf"),
    (0x1780, 0x17FF, "NotoSansKhmer-Regular.ttf"),
    # Noto has Tibetan in a serif face only
    (0x0F00, 0x0FFF, "NotoSerifTibetan-Regular.ttf"),
    (0x1200, 0x139F, "NotoSansEthiopic-Regular.ttf"),  # and its supplement
    (0x2D80, 0x2DDF, "NotoSansEthiopic-Regular.ttf"),  # Ethiopic Extended
    (0x13A0, 0x13FF, "NotoSansCherokee-Regular.ttf"),
    (0xAB70, 0xABBF, "NotoSansCherokee-Regular.ttf"),  # Cherokee Supplement (lower case)
    (0x1400, 0x167F, "NotoSansCanadianAboriginal-Regular.ttf"),  # Cree, Inuktitut, Ojibwe
    (0x18B0, 0x18FF, "NotoSansCanadianAboriginal-Regular.ttf"),
    (0x1B00, 0x1B7F, "NotoSansBalinese-Regular.ttf"),
    (0x1B80, 0x1BBF, "NotoSansSundanese-Regular.ttf"),
    (0xA980, 0xA9DF, "NotoSansJavanese-Regular.ttf"),
    (0x2D30, 0x2D7F, "NotoSansTifinagh-Regular.ttf"),  # Tamazight
    (0xA000, 0xA4CF, "NotoSansYi-Regular.ttf"),  # syllables and radicals
    (0xA500, 0xA63F, "NotoSansVai-Regular.ttf"),
    # right to left and joined (Syriac, N'Ko, Adlam) or with vowels above and below
    # (Thaana): HarfBuzz joins and reverses each word (direction.py)
    (0x0700, 0x074F, "NotoSansSyriac-Regular.ttf"),
    (0x0860, 0x086F, "NotoSansSyriac-Regular.ttf"),  # Syriac Supplement (Malayalam)
    (0x0780, 0x07BF, "NotoSansThaana-Regular.ttf"),  # Dhivehi
    (0x07C0, 0x07FF, "NotoSansNKo-Regular.ttf"),
    (0x1E900, 0x1E95F, "NotoSansAdlam-Regular.ttf"),  # Fulani
    # written top to bottom; a horizontal line carries it turned a quarter, left to
    # right, as browsers do, its letters joined by HarfBuzz
    (0x1800, 0x18AF, "NotoSansMongolian-Regular.ttf"),
)
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


@dataclass(frozen=True)
class Coverage:
    """What the registered fonts print: the body font's code points, the blocks set in
    a shaped face (first, last, registered font name), each shaped face's code points
    (its punctuation and digits join a word of its script), and the bold face of each
    shaped face the machine has (a bold heading's name is drawn bold, not regular)."""

    body: frozenset[int]
    shaped: tuple[tuple[int, int, str], ...]
    faces: Mapping[str, frozenset[int]]
    bold: Mapping[str, str]

    def shaped_font(self, cp: int) -> str | None:
        return next((name for lo, hi, name in self.shaped if lo <= cp <= hi), None)


def font_path(name: str) -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / _FILES[name]


def font_dirs() -> tuple[str, ...]:
    """Where the shaped faces are looked for: THECAL_FONT_DIRS (colon separated; empty:
    nowhere), else the system's font directories."""
    value = os.environ.get("THECAL_FONT_DIRS")
    if value is None:
        return SYSTEM_FONT_DIRS
    return tuple(d for d in value.split(":") if d)


def register() -> Coverage:
    """Register the fonts (once per set of font directories); what they cover."""
    return _register(font_dirs())


@cache
def _register(dirs: tuple[str, ...]) -> Coverage:
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
    # reportlab shapes every word of a shaped paragraph with discretionary ligatures on
    # (DejaVu Sans Bold then drew "st" as one glyph); text engines leave them off
    defaults = getattr(ttfonts.shapeFragWord, "__defaults__", None)
    if defaults and isinstance(defaults[0], dict):
        defaults[0]["dlig"] = False
    face = TTFont("thecal-cmap", str(font_path(SANS))).face
    shaped, faces, bold_faces = _shaped_faces(dirs)
    return Coverage(frozenset(face.charToGlyph), shaped, faces, bold_faces)


def _shapable(name: str, path: Path) -> TTFont | None:
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    return font if font.shapable else None


def _shaped_faces(
    dirs: tuple[str, ...],
) -> tuple[tuple[tuple[int, int, str], ...], dict[str, frozenset[int]], dict[str, str]]:
    """Each shaped script whose face is found in `dirs` and can be shaped here (a face
    drawn unshaped would misdraw a name: it is left to the code points instead), and
    its bold face where found (else bold runs of it use the regular face)."""
    found = {p.name: p for d in dirs if Path(d).is_dir() for p in Path(d).rglob("Noto*.ttf")}
    out, faces, bold = [], {}, {}
    for lo, hi, file in SHAPED_SCRIPTS:
        if file not in found:
            continue
        name = "thecal-" + file.removesuffix("-Regular.ttf").lower()
        if name not in faces:  # a face with two blocks is registered once
            font = _shapable(name, found[file])
            if font is None:
                continue
            faces[name] = frozenset(font.face.charToGlyph)
            bold_file = file.replace("-Regular.ttf", "-Bold.ttf")
            if bold_file in found and _shapable(f"{name}-bold", found[bold_file]):
                bold[name] = f"{name}-bold"
        out.append((lo, hi, name))
    return tuple(out), faces, bold


def needs_shaping(text: str) -> bool:
    """Whether `text` has a run set in a shaped face (its paragraph must be shaped)."""
    coverage = register()
    return any(coverage.shaped_font(ord(c)) for c in text)


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


_CODE, _SKIP = "[code point]", "[invisible]"


def _word_fonts(text: str, coverage: Coverage) -> list[str | None]:
    """For each character, the shaped face of the word it is in (the first shaped
    script of the word), or None: reportlab shapes a word in one font."""
    out: list[str | None] = []
    for part in re.split(r"(\s+)", text):
        fonts = (coverage.shaped_font(ord(c)) for c in part)
        font = None if part.isspace() else next((f for f in fonts if f), None)
        out += [font] * len(part)
    return out


def _font_of(ch: str, coverage: Coverage, japanese: bool, word: str | None) -> str | None:
    """The font a character is printed in (None: the body font), _CODE (printed as
    its code point) or _SKIP (an invisible format character no font has)."""
    cp, kind = ord(ch), unicodedata.category(ch)
    shaped = coverage.shaped_font(cp)
    if shaped is not None:
        return shaped
    if word is not None and not ch.isspace() and (
        cp in coverage.faces[word] or kind in ("Mn", "Mc", "Cf")
    ):
        return word  # its punctuation, digits, joiners: shaped with the word
    if cp in coverage.body or ch in "\n\t":
        return None
    cjk = _cjk_font(ch, japanese)
    if cjk is not None:
        return cjk
    return _SKIP if kind == "Cf" else _CODE


def markup(text: str, bold: bool = False) -> str:
    """`text` as paragraph markup: escaped, right-to-left runs in visual order, each CJK
    or shaped-script run in its font (its bold face for a `bold` paragraph, where the
    machine has one), and any character no font has written as its code point.
    reportlab shapes each word in one font, so a word of a shaped script is split by a
    space where it meets a character its face lacks (Thai glued to a parenthesis, Latin
    glued to Devanagari): "(สมชาย)" prints as "( สมชาย )", each letter drawn right,
    rather than as boxes."""
    coverage = register()
    text = visual(text)
    japanese = _kana(text)
    words = _word_fonts(text, coverage)
    items: list[tuple[str, str | None]] = []
    for i, ch in enumerate(text):
        font = _font_of(ch, coverage, japanese, words[i])
        if font == _SKIP:
            continue
        piece = f"[U+{ord(ch):04X}]" if font == _CODE else ch
        font = None if font == _CODE else font
        if items and items[-1][1] != font and words[i] is not None and not ch.isspace() \
                and not text[i - 1].isspace():  # fmt: skip
            items.append((" ", None))  # the word split where its face ends (see above)
        items.append((piece, font))
    if any(w is not None for w in words):  # a shaped paragraph: HarfBuzz reverses RTL
        items = for_shaping(items)
    runs: list[tuple[str | None, list[str]]] = []
    for piece, font in items:
        if runs and runs[-1][0] == font:
            runs[-1][1].append(escape(piece))
        else:
            runs.append((font, [escape(piece)]))
    weight = coverage.bold if bold else {}
    return "".join(
        f'<font name="{weight.get(font, font)}">{"".join(body)}</font>' if font else "".join(body)
        for font, body in runs
    )


def plain(text: str) -> str:
    """`text` for a single-font line (the page footer): what DejaVu lacks as code points."""
    covered = register().body
    return "".join(c if ord(c) in covered else f"[U+{ord(c):04X}]" for c in visual(text))
