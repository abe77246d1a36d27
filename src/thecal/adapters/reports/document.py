"""A printable document as plain data: headings, key-value facts, tables, pictures.

The clinic's reports are built as this (from the records, with no drawing) and then
rendered by one renderer (reportlab, `pdf.py`). Keeping the content apart from the
layout lets the tests read the numbers a report states without parsing a PDF, and
lets the PDF test check that the rendering printed the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Facts:
    """Label: value pairs, printed as a two-column block."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    emphasise: tuple[int, ...] = ()  # row indexes printed in bold (what changed)
    widths: tuple[float, ...] = ()  # column shares of the page width; default equal


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_cm: float
    height_cm: float


@dataclass(frozen=True)
class Text:
    text: str


Block = Facts | Table | Picture | Text


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str = field(
        default="thecal: reference and teaching software, not a medical device. "
        "Not for clinical use."
    )

    def text(self) -> str:
        """Everything the document says, one line per item (for tests and logs)."""
        lines = [self.title, self.subtitle]
        for s in self.sections:
            lines.append(s.heading)
            for b in s.blocks:
                if isinstance(b, Facts):
                    lines += [f"{k}: {v}" for k, v in b.pairs]
                elif isinstance(b, Table):
                    lines += [" | ".join(b.header)] + [" | ".join(r) for r in b.rows]
                elif isinstance(b, Text):
                    lines.append(b.text)
        return "\n".join(lines)


def utc(t: float | None) -> str:
    """A clinic time as printed: UTC to the minute, or a dash when there is none."""
    if t is None:
        return "-"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(t: float | None) -> str:
    return "-" if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")


def ml(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f} mL"


def mcg(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g} mcg"
