"""Right-to-left text for reportlab, which places glyphs left to right.

A line is put in visual order by the Unicode bidi algorithm, Arabic letters joined
first (arabic-reshaper). python-bidi's default (Rust) `get_display` stops at rule L2:
it does not mirror brackets (L4), so "שרה (abc)" printed as ")abc( הרש"; its
maintainers keep the implementation that runs L3 and L4 as `bidi.algorithm`
(MeirKriheli/python-bidi#25), which is used here. That is the whole story for a
paragraph that is not shaped. A shaped paragraph (one with a run of Syriac, Thaana, N'Ko, Adlam, an
Indic script ...) goes word by word through HarfBuzz, which guesses each word's
direction from its script and lays a right-to-left word out reversed, mirroring its
brackets: a word already in visual order came out backwards ("Dr הרש" beside a
Devanagari name printed as "Dr שרה"). So in a shaped paragraph each word HarfBuzz
will reverse is handed to it in logical order again, brackets swapped back, and
HarfBuzz does the reversal, with the joining a Syriac, N'Ko or Adlam word needs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

import arabic_reshaper
import uharfbuzz
from bidi.algorithm import get_display
from bidi.mirror import MIRRORED

Item = TypeVar("Item")
_MIRRORED = str.maketrans(MIRRORED)


def right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def visual(text: str) -> str:
    """Each line in the order a left-to-right layout prints (short texts, names and
    notes, are what the reports hold: a wrapped line is not reordered again)."""
    if not right_to_left(text):
        return text
    return "\n".join(get_display(arabic_reshaper.reshape(line)) for line in text.split("\n"))


def harfbuzz_reverses(word: str) -> bool:
    """Whether HarfBuzz lays `word` out right to left: the same guess reportlab's
    shaper makes (the script of the word's first letter)."""
    buffer = uharfbuzz.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    return bool(buffer.direction == "rtl")


def for_shaping(items: Sequence[tuple[str, Item]]) -> list[tuple[str, Item]]:
    """`items` (each a piece of the visual text and its font) with every word HarfBuzz
    will reverse turned back to logical order, its brackets unmirrored. The bidi step
    reversed such a word outright (`bidi.algorithm` does not apply the optional rule
    L3), its vowel marks before their letters: reversed again, they follow them."""
    text = "".join(piece for piece, _ in items)
    starts, at = [], 0
    for piece, _ in items:
        starts.append(at)
        at += len(piece)
    out = list(items)
    for word in re.finditer(r"\S+", text):
        if not harfbuzz_reverses(word[0]):
            continue
        inside = [i for i, s in enumerate(starts) if word.start() <= s < word.end()]
        if inside:
            lo, hi = inside[0], inside[-1] + 1
            out[lo:hi] = [(p.translate(_MIRRORED), f) for p, f in reversed(out[lo:hi])]
    return out
