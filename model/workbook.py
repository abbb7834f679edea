"""The Excel workbook of a run or a comparison, and the assumptions table with sources.

The sheets hold the same tidy tables as the CSV files (same rows, same unrounded values);
headers are translated, a name and a unit column follow each indicator or metric key (from
the metric registry), schemes and sexes are named, and numbers are formatted by their unit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel

from . import display, metrics
from .labels import EVENT_NAMES, SCHEME_NAMES, SEX_NAMES, parameter_name, text
from .scenario import Scenario, Source, TableRef, TimePath, unit_words
from .wide import ReaderTable

# Columns with a translated header: column → the key of its words in labels.TEXT.
HEADERS = {column: column for column in (
    "year", "indicator", "value", "metric", "scheme", "sex", "population", "mix", "low", "high", "parameter", "unit",
    "scenario", "age", "age_group", "event", "difference", "region", "name", "table", "group", "change", "base", "low", "high", "vs_first",
    "vs_first_low", "vs_first_high", "direction", "projected", "on_track", "set_by_inputs", "item")}
HEADERS["source"] = "unit_source"
HEADERS["target"] = "target_value"


def assumptions(scenario: Scenario, derived: list[tuple[str, str, str, str]], lang: str) -> pd.DataFrame:
    """Every time path, table and setting of the scenario, and the values a run derived, one
    row per value: name (the key in words, `labels.parameter_name`), parameter (the key),
    item (the year of a time path's value, or the key of a value in a set such as an age
    band), value (a number, or words for a table's file or a rule), unit (in words) and
    source (kind, title, table, year, note, in `lang`)."""
    rows = []
    setting = Source(kind="setting")

    def add(where: str, values, unit: str, source: Source) -> None:
        """Rows of one parameter: a number, or {year or item: number}."""
        items = sorted(values.items()) if isinstance(values, dict) else [(None, values)]
        rows.extend((where, item, value, unit, source) for item, value in items)

    def walk(node, prefix: str, inherited: Source | None = None) -> None:
        """Rows under `node`; a path without its own source takes its section's."""
        if isinstance(node, TimePath):
            add(prefix, node.values, unit_words(node.unit, lang), node.source or inherited or setting)
        elif isinstance(node, TableRef):
            add(prefix, str(node.path), "CSV", node.source or inherited or Source(title="user table"))
        elif isinstance(node, BaseModel):
            own = getattr(node, "source", None)
            source = own if isinstance(own, Source) else inherited
            for name, field in type(node).model_fields.items():
                value, where = getattr(node, name), f"{prefix}.{name}" if prefix else name
                unit = unit_words((field.json_schema_extra or {}).get("unit"), lang)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    add(where, value, unit, source or setting)
                elif isinstance(value, dict) and value and all(isinstance(v, (int, float)) for v in value.values()):
                    add(where, value, unit, source or setting)
                elif not isinstance(value, Source):
                    walk(value, where, source)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}", inherited)

    walk(scenario, "")
    for parameter, value, unit, source in derived:
        add(parameter, _as_number(value), unit_words(unit, lang), Source.model_validate(source))
    mixes = scenario.mix_names("zh")   # Chinese parameter names name mixes by label (English keeps keys)
    return pd.DataFrame([(parameter_name(p, lang, mixes), p, i, v, u, s.text(lang)) for p, i, v, u, s in rows],
                        columns=["name", "parameter", "item", "value", "unit", "source"])


def _as_number(value: str):
    """A derived value as a number where it is one ("0.9876"), else its words ("0.08 × care.beds")."""
    try:
        return float(value)
    except ValueError:
        return value


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, lang: str, notes: dict[str, str] | None = None,
                   reading: list[ReaderTable] = ()) -> None:
    """The tables for readers first (`reading`: years as columns, `wide.py`), then one sheet
    per tidy table; headers in `lang`; names and units from the metric registry; numbers
    formatted by their unit (fractions as %, counts with thousands separators). `notes`
    (sheet key → text, such as the disability definition a sheet depends on) go in a comment
    on the sheet's first cell and in its printed page header.

    Written by XlsxWriter in its streaming (constant-memory) mode, every cell with an
    explicit type: text is always stored as text, so a source string such as ``=HYPERLINK(…)``
    stays words and is never a live formula (text that starts like a formula is also marked
    with Excel's quote prefix, so it stays text when a user edits the cell)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    formats = {None: None, "quoted": book.add_format({"quote_prefix": True}),
               "header": book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}),
               "title": book.add_format({"bold": True, "font_size": 13}),
               "note": book.add_format({"italic": True, "font_color": "#555555"}),
               "wrap": book.add_format({"text_wrap": True, "valign": "top"})}
    for number_format in ("0.00%", "0", "#,##0", "0.00", "#,##0.0", "#,##0.00"):
        formats[number_format] = book.add_format({"num_format": number_format})
    for table in reading:
        _write_reader_sheet(book, table, formats)
    for key, table in sheets.items():
        worksheet = book.add_worksheet(text(f"sheet_{key}", lang))
        source_table = key if key in metrics.TABLES else None
        table, units = _for_reading(table, source_table, lang)
        headers = [text(HEADERS[column], lang) if column in HEADERS else column for column in table.columns]
        worksheet.freeze_panes(1, 0)
        note = (notes or {}).get(key)
        if note:
            worksheet.set_header("&L" + note.replace("&", "&&")[:250])
        for j, column in enumerate(table.columns):
            worksheet.set_column(j, j, _fitting_width(headers[j], table[column]),
                                 formats["wrap"] if column == "source" else None)
        for j, header in enumerate(headers):
            worksheet.write_string(0, j, str(header), formats["header"])
        if note:
            worksheet.write_comment(0, 0, note, {"x_scale": 4, "y_scale": 2})
        numeric = [pd.api.types.is_numeric_dtype(table[c]) and c not in ("year", "age") for c in table.columns]
        for i, row in enumerate(table.itertuples(index=False), start=1):
            number_format = formats[display.excel_format(units[i - 1])] if units is not None else None
            for j, value in enumerate(row):
                _write(worksheet, i, j, value, number_format if numeric[j] else None, formats["quoted"])
    book.close()


def _fitting_width(header: str, column: pd.Series) -> float:
    """A column width (in characters) that fits its header and most of its cells (Chinese
    characters count twice), between 8 and 60; long text such as a source wraps at 60."""
    sample = pd.unique(column.head(400).dropna())   # a name repeated on every row is measured once
    cells = [display.width(f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in sample]
    longest = max([display.width(str(header)), *cells]) if cells else display.width(str(header))
    return float(max(8, min(60, longest + 2)))


def _write_reader_sheet(book, table: ReaderTable, formats: dict) -> None:
    """A table for readers: its title, a header row, the rows (each with its precision), and
    its note below; the name column and header stay in view when scrolling."""
    worksheet = book.add_worksheet(table.title[:31])
    frame = table.frame
    worksheet.write_string(0, 0, table.title, formats["title"])
    for j, column in enumerate(frame.columns):
        worksheet.set_column(j, j, _fitting_width(column, frame[column]) if j < 2 else
                             max(9.0, _fitting_width(column, frame[column])))
        worksheet.write_string(1, j, str(column), formats["header"])
    worksheet.freeze_panes(2, 1)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row):
            places = table.decimals[j - 1] if table.by_column else table.decimals[i - 2]
            number_format = formats[("#,##0", "#,##0.0", "#,##0.00")[min(places, 2)]] if isinstance(
                value, (int, float)) and not isinstance(value, bool) else None
            _write(worksheet, i, j, value, number_format, formats["quoted"])
    if table.note:
        worksheet.write_string(len(frame) + 3, 0, table.note, formats["note"])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _write(worksheet, row: int, column: int, value, number_format, quoted) -> None:
    """One cell: text as text (quote-prefixed if it starts like a formula), a number with
    its unit's format, nothing for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return
    if isinstance(value, str):
        worksheet.write_string(row, column, value, quoted if value[:1] in FORMULA_STARTS else None)
    elif isinstance(value, (bool, np.bool_)):
        worksheet.write_boolean(row, column, bool(value))
    else:
        worksheet.write_number(row, column, float(value), number_format)


def _for_reading(table: pd.DataFrame, source_table: str | None, lang: str) -> tuple[pd.DataFrame, list | None]:
    """The table with a name and a unit column after its indicator or metric keys (from the
    registry: `source_table` is the table the keys belong to, or a `table` column says), and
    schemes and sexes named in `lang`; the keys stay, so a sheet can be matched with its CSV.
    Returns the table and the unit of each row (None when the rows have no metric)."""
    pick = 0 if lang == "zh" else 1
    table = table.copy()
    for column, names in (("scheme", SCHEME_NAMES), ("group", SCHEME_NAMES), ("sex", SEX_NAMES), ("event", EVENT_NAMES)):
        if column in table:
            table[column] = table[column].map(lambda value, n=names: n[value][pick] if value in n else value)
    key_column = next((c for c in ("indicator", "metric") if c in table.columns), None)
    if key_column is None:
        return table, (["persons"] * len(table) if source_table in ("population", "vital_events") else None)
    owners = table["table"] if "table" in table else pd.Series(source_table, index=table.index)
    found = [metrics.REGISTRY.get((owner, str(key))) for owner, key in zip(owners, table[key_column])]
    at = table.columns.get_loc(key_column) + 1
    table.insert(at, "name", [m.name(lang) if m else str(key) for m, key in zip(found, table[key_column])])
    units = [m.unit if m else "" for m in found]
    table.insert(at + 1, "unit", [unit_words(unit, lang) for unit in units])
    return table, units
