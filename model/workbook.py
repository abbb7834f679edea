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
from .labels import EVENT_NAMES, SCHEME_NAMES, SEX_NAMES, text
from .scenario import Scenario, Source, TableRef, TimePath, unit_words

# Columns with a translated header: column → the key of its words in labels.TEXT.
HEADERS = {column: column for column in (
    "year", "indicator", "value", "metric", "scheme", "sex", "population", "mix", "low", "high", "parameter", "unit",
    "scenario", "age", "event", "difference", "region", "name", "table", "group", "change", "base", "low", "high", "vs_first",
    "vs_first_low", "vs_first_high", "direction", "projected", "on_track", "set_by_inputs")}
HEADERS["source"] = "unit_source"
HEADERS["target"] = "target_value"


def _number(value: float) -> str:
    """A parameter value as written (no rounding: 5,304,061 stays 5304061)."""
    return str(int(value)) if float(value).is_integer() else f"{value:.12g}"


def _path_value(path: TimePath) -> str:
    if isinstance(path.values, dict):
        return "; ".join(f"{year}: {_number(value)}" for year, value in sorted(path.values.items()))
    return _number(path.values)


def assumptions(scenario: Scenario, derived: list[tuple[str, str, str, str]], lang: str) -> pd.DataFrame:
    """Every time path, table and setting of the scenario, and the values a run derived:
    parameter, value, unit (in words), source (kind, title, table, year, note, in `lang`)."""
    rows = []
    setting = Source(kind="setting")

    def walk(node, prefix: str, inherited: Source | None = None) -> None:
        """Rows under `node`; a path without its own source takes its section's."""
        if isinstance(node, TimePath):
            rows.append((prefix, _path_value(node), unit_words(node.unit, lang), (node.source or inherited or setting)))
        elif isinstance(node, TableRef):
            rows.append((prefix, str(node.path), "CSV", node.source or inherited or Source(title="user table")))
        elif isinstance(node, BaseModel):
            own = getattr(node, "source", None)
            source = own if isinstance(own, Source) else inherited
            for name, field in type(node).model_fields.items():
                value, where = getattr(node, name), f"{prefix}.{name}" if prefix else name
                unit = unit_words((field.json_schema_extra or {}).get("unit"), lang)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    rows.append((where, _number(value), unit, source or setting))
                elif isinstance(value, dict) and value and all(isinstance(v, (int, float)) for v in value.values()):
                    rows.append((where, "; ".join(f"{k}: {_number(v)}" for k, v in value.items()), unit,
                                 source or setting))
                elif not isinstance(value, Source):
                    walk(value, where, source)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}", inherited)

    walk(scenario, "")
    rows += [(parameter, value, unit_words(unit, lang), Source.model_validate(source)) for parameter, value, unit, source
             in derived]
    return pd.DataFrame([(p, v, u, s.text(lang)) for p, v, u, s in rows],
                        columns=["parameter", "value", "unit", "source"])


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, lang: str, notes: dict[str, str] | None = None) -> None:
    """One sheet per table; headers in `lang`; names and units from the metric registry;
    numbers formatted by their unit (fractions as %, counts with thousands separators).
    `notes` (sheet key → text, such as the disability definition a sheet depends on) go in a
    comment on the sheet's first cell and in its printed page header.

    Written by XlsxWriter in its streaming (constant-memory) mode, every cell with an
    explicit type: text is always stored as text, so a source string such as ``=HYPERLINK(…)``
    stays words and is never a live formula (text that starts like a formula is also marked
    with Excel's quote prefix, so it stays text when a user edits the cell)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    formats = {None: None, "quoted": book.add_format({"quote_prefix": True}),
               "header": book.add_format({"bold": True, "bottom": 1})}
    for number_format in ("0.00%", "0", "#,##0", "0.00"):
        formats[number_format] = book.add_format({"num_format": number_format})
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
            wide = 36 if column in ("name", "source") else len(str(headers[j])) * 2 + 4
            worksheet.set_column(j, j, max(10, min(60, wide)))
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
