"""report.docx: the chapter's blocks (`chapter.py`) laid out as a Word document (python-docx).

A4 with 2.5 cm margins; body text 宋体 / Times New Roman 10.5 pt (五号), headings 黑体; figures
at the text width (16 cm) with a numbered caption and the chart's source line below; tables
with a numbered title above, the reader's units in a column, numbers right-aligned with their
row's precision, and the source line below. Numbering is by order: 图1, 图2 … and 表1, 表2 ….
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from .chapter import Block, Figure, Heading, Paragraph, Table, words

BODY_FONT = ("Times New Roman", "宋体")     # (Latin, East Asian)
HEADING_FONT = ("Arial", "黑体")
TEXT_WIDTH_CM = 16.0


def _fonts(style_or_run, fonts: tuple[str, str]) -> None:
    """Set the Latin and East Asian fonts (Word keeps them apart: w:rFonts w:eastAsia)."""
    from docx.oxml.ns import qn

    style_or_run.font.name = fonts[0]
    element = style_or_run.element
    properties = element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), fonts[1])


def write_docx(blocks: list[Block], path: Path, lang: str, title: str, created: datetime) -> None:
    """Write the blocks to `path` (one file; `created` stamps its properties, so the same run
    writes the same document)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    normal = document.styles["Normal"]
    _fonts(normal, BODY_FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12)):
        style = document.styles[name]
        _fonts(style, HEADING_FONT)
        style.font.size, style.font.color.rgb, style.font.bold = Pt(size), RGBColor(0, 0, 0), True
    properties = document.core_properties
    properties.title, properties.author, properties.created, properties.modified = title, "silverplan", created, created
    prefix = {"figure": words("caption_prefix", lang), "table": words("table_prefix", lang)}
    counts = {"figure": 0, "table": 0}

    def small(paragraph_text: str, align=WD_ALIGN_PARAGRAPH.LEFT, size: float = 9, bold: bool = False):
        paragraph = document.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(paragraph_text)
        run.font.size, run.bold = Pt(size), bold
        return paragraph

    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.words, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph(block.words)
            paragraph.paragraph_format.first_line_indent = Pt(21) if lang == "zh" else None
        elif isinstance(block, Figure):
            counts["figure"] += 1
            document.add_picture(str(block.path), width=Cm(TEXT_WIDTH_CM))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            small(f"{prefix['figure']}{counts['figure']}　{block.caption}", WD_ALIGN_PARAGRAPH.CENTER, 10, True)
        elif isinstance(block, Table):
            counts["table"] += 1
            reader = block.table
            small(f"{prefix['table']}{counts['table']}　{reader.title}", WD_ALIGN_PARAGRAPH.CENTER, 10, True)
            _table(document, reader.frame, reader.decimals if block.number_format else None, reader.by_column)
            document.tables[-1].alignment = WD_TABLE_ALIGNMENT.CENTER
            if reader.note:
                small(reader.note, size=8)
    document.save(str(path))


def _table(document, frame: pd.DataFrame, decimals: list[int] | None, by_column: bool) -> None:
    """A grid table: bold header row, text left, numbers right-aligned at their precision
    (`decimals` per row, or per column after the first if `by_column`; None: cells as words)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    table = document.add_table(rows=1 + len(frame), cols=len(frame.columns))
    table.style = "Table Grid"
    table.autofit = False
    size = Pt(8) if len(frame.columns) > 7 or decimals is None else Pt(9)
    widths = [Cm(width) for width in column_widths(frame, TEXT_WIDTH_CM)]
    for column, width in zip(table.columns, widths):   # the grid (LibreOffice) …
        column.width = width
    cells = [row.cells for row in table.rows]          # (each row's cells built once: python-docx rebuilds them per call)
    for row in cells:                                  # … and each cell (Word)
        for cell, width in zip(row, widths):
            cell.width = width
    for cell, column in zip(cells[0], frame.columns):
        cell.text = str(column)
        run = cell.paragraphs[0].runs[0]
        run.bold, run.font.size = True, size
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            paragraph = cells[i][j].paragraphs[0]
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if number and decimals is not None:
                places = decimals[j - 1] if by_column else decimals[i - 1]
                shown = "—" if pd.isna(value) else f"{value:,.{places}f}"
            else:
                shown = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            run = paragraph.add_run(shown)
            run.font.size = size
            if number or shown == "—":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def column_widths(frame: pd.DataFrame, total_cm: float) -> list[float]:
    """Column widths (cm) summing to `total_cm`, in proportion to each column's longest cell
    or header (Chinese characters count twice), a long text column capped at 40 columns so it
    wraps, every column at least 1.3 cm."""
    from .display import width

    def longest(column) -> int:
        cells = [width(f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in frame[column]]
        return min(40, max([width(str(column)) // 2 + 1, *cells, 4]))

    wanted = [longest(column) for column in frame.columns]
    widths = [max(1.3, total_cm * w / sum(wanted)) for w in wanted]
    return [w * total_cm / sum(widths) for w in widths]
