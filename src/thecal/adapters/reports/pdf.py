"""A `Document` as an A4 PDF, laid out by reportlab's platypus.

Every page carries the title, the page number and the not-a-medical-device notice;
tables repeat their header when they run over a page. The PDF's metadata creation
date is the document's own time, so the same record always prints the same bytes.
Text goes through fonts.markup: DejaVu Sans for most scripts, CID fonts for CJK,
Noto faces shaped by HarfBuzz for Indic and South-East Asian scripts where the
machine has them, code points for anything else.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from thecal.adapters.reports.document import Block, Document, Facts, Picture, Table, Text
from thecal.adapters.reports.fonts import (
    SANS,
    SANS_BOLD,
    SANS_BOLD_ITALIC,
    SANS_ITALIC,
    markup,
    needs_shaping,
    plain,
    register,
)

register()
_SAMPLE = getSampleStyleSheet()
_STYLES = {
    "BodyText": ParagraphStyle("body", parent=_SAMPLE["BodyText"], fontName=SANS),
    "Title": ParagraphStyle("title", parent=_SAMPLE["Title"], fontName=SANS_BOLD),
    "Italic": ParagraphStyle("italic", parent=_SAMPLE["Italic"], fontName=SANS_ITALIC),
    "Heading2": ParagraphStyle("heading", parent=_SAMPLE["Heading2"], fontName=SANS_BOLD),
}
_CELL = ParagraphStyle("cell", parent=_STYLES["BodyText"], fontSize=8.5, leading=10.5)
_CELL_BOLD = ParagraphStyle("cell-bold", parent=_CELL, fontName=SANS_BOLD)
_GRID = colors.HexColor("#b8c2cc")
_HEAD = colors.HexColor("#e8eef4")


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of `text`, shaped (HarfBuzz) when a run of it is in a shaped face."""
    if needs_shaping(text):
        style = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
    return Paragraph(markup(text, bold=style.fontName in (SANS_BOLD, SANS_BOLD_ITALIC)), style)


def _cell(text: str, bold: bool = False) -> Paragraph:
    return _para(text, _CELL_BOLD if bold else _CELL)


def _block(b: Block, width: float) -> Any:
    if isinstance(b, Text):
        return _para(b.text, _STYLES["BodyText"])
    if isinstance(b, Picture):
        return Image(io.BytesIO(b.png), width=b.width_cm * cm, height=b.height_cm * cm)
    if isinstance(b, Facts):
        rows = [[_cell(k, bold=True), _cell(v)] for k, v in b.pairs]
        t = RLTable(rows, colWidths=[width * 0.32, width * 0.68])
        t.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), SANS)])
        )
        return t
    assert isinstance(b, Table)
    n = len(b.header)
    rows = [[_cell(h, bold=True) for h in b.header]]
    rows += [[_cell(c, bold=i in b.emphasise) for c in r] for i, r in enumerate(b.rows)]
    if not b.rows:
        rows.append([_cell("none")] + [_cell("") for _ in b.header[1:]])
    shares = b.widths or (1.0 / n,) * n
    t = RLTable(rows, colWidths=[width * f for f in shares], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), SANS),
    ]
    style += [
        ("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#fff6d6")) for i in b.emphasise
    ]
    t.setStyle(TableStyle(style))
    return t


def render_pdf(doc: Document) -> bytes:
    out = io.BytesIO()
    frame = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2.0 * cm,
        title=doc.title,
        subject=doc.subtitle,
        author="thecal",
        creator="thecal",
        initialFontName=SANS,  # not even an empty Helvetica text object
        invariant=1,  # no wall-clock date or random id in the file: same record, same bytes
    )
    width = frame.width
    story: list[Any] = [
        _para(doc.title, _STYLES["Title"]),
        _para(doc.subtitle, _STYLES["Italic"]),
        Spacer(1, 0.3 * cm),
    ]
    for section in doc.sections:
        heading = _para(section.heading, _STYLES["Heading2"])
        blocks = [_block(b, width) for b in section.blocks]
        story.append(KeepTogether([heading, *blocks[:1]]))
        for b in blocks[1:]:
            story += [Spacer(1, 0.2 * cm), b]
        story.append(Spacer(1, 0.3 * cm))

    def page(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(1.8 * cm, 1.1 * cm, plain(doc.footer))
        canvas.drawRightString(A4[0] - 1.8 * cm, 1.1 * cm, f"page {template.page}")
        canvas.restoreState()

    frame.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()
