"""The Excel workbook of a run or a comparison, and the assumptions table with sources.

The sheets hold the same tidy tables as the CSV files (same rows, same unrounded values);
headers are translated, a name column follows each indicator or metric key, schemes and sexes
are named, and numbers are formatted for reading.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from .config import Scenario, TableRef, TimePath
from .labels import SCHEME_NAMES, SEX_NAMES, metric_name, text

# Values shown as percentages (fractions in the tables).
PERCENT = ("share", "self_sufficiency_ratio", "replacement_rate", "cost_rate", "occupancy", "nursing_share",
           "severe_in_nursing_share")


def _number(value: float) -> str:
    """A parameter value as written (no rounding: 5,304,061 stays 5304061)."""
    return str(int(value)) if float(value).is_integer() else f"{value:.12g}"


def _path_value(path: TimePath) -> str:
    if isinstance(path.values, dict):
        return "; ".join(f"{year}: {_number(value)}" for year, value in sorted(path.values.items()))
    return _number(path.values)


def assumptions(scenario: Scenario) -> pd.DataFrame:
    """Every time path and table of the scenario: parameter, value, unit, source."""
    rows = []

    def walk(node, prefix: str, inherited: str | None = None) -> None:
        """Rows under `node`; a path without its own source takes its section's."""
        if isinstance(node, TimePath):
            rows.append((prefix, _path_value(node), node.unit or "", node.source or inherited or ""))
        elif isinstance(node, TableRef):
            rows.append((prefix, str(node.path), "table", getattr(node, "source", None) or ""))
        elif isinstance(node, BaseModel):
            own = getattr(node, "source", None)
            source = own if isinstance(own, str) else inherited
            for name in type(node).model_fields:
                value, where = getattr(node, name), f"{prefix}.{name}" if prefix else name
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    rows.append((where, _number(value), "", source or "setting"))
                elif isinstance(value, dict) and value and all(isinstance(v, (int, float)) for v in value.values()):
                    rows.append((where, "; ".join(f"{k}: {_number(v)}" for k, v in value.items()), "", source or ""))
                else:
                    walk(value, where, source)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{prefix}.{key}", inherited)

    walk(scenario, "")
    if scenario.regions is not None:
        from .regions import derived_assumptions

        rows += derived_assumptions(scenario)
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "source"])


def _is_percent(name: str) -> bool:
    return any(part in name for part in PERCENT)


def write_workbook(sheets: dict[str, pd.DataFrame], path: Path, lang: str) -> None:
    """One sheet per table; headers in `lang`; counts with thousands separators, fractions as %.

    Written in openpyxl's streaming (write-only) mode, cell by cell with an explicit type:
    every text cell is stored as text, so a source string such as ``=HYPERLINK(…)`` stays
    words and is never a live formula (and is marked so Excel keeps it text when edited)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for key, table in sheets.items():
        worksheet = book.create_sheet(text(f"sheet_{key}", lang))
        name_column = next((c for c in ("indicator", "metric") if c in table.columns), None)
        keys = table[name_column].astype(str).tolist() if name_column else None
        table = _for_reading(table, name_column, lang)
        headers = [text(column, lang) if column in ("year", "indicator", "value", "metric", "scheme", "sex",
                                                  "population", "mix", "p05", "p95", "parameter", "unit",
                                                  "scenario", "age", "difference", "region", "name")
                   else column for column in table.columns]
        if key == "assumptions":
            headers[-1] = text("unit_source", lang)
        worksheet.freeze_panes = "A2"
        for j, column in enumerate(table.columns, start=1):
            wide = 36 if column == "name" else len(str(headers[j - 1])) * 2 + 4
            worksheet.column_dimensions[get_column_letter(j)].width = max(10, min(48, wide))
        worksheet.append([_text_cell(worksheet, header) for header in headers])
        formatted = [pd.api.types.is_numeric_dtype(table[c]) and c not in ("year", "age") for c in table.columns]
        for i, row in enumerate(table.itertuples(index=False)):
            worksheet.append([_cell(worksheet, value, keys[i] if keys else column, numeric)
                              for value, column, numeric in zip(row, table.columns, formatted)])
    book.save(path)


def _text_cell(worksheet, value: str):
    """A text cell that spreadsheets keep as text (no formula, even after an edit)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=str(value))
    cell.data_type = "s"
    if str(value)[:1] in FORMULA_STARTS:
        cell.quotePrefix = True
    return cell


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(worksheet, value, name: str, formatted: bool):
    """A cell for one value: text as text; numbers with the format their metric takes."""
    from openpyxl.cell import WriteOnlyCell

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return _text_cell(worksheet, value)
    cell = WriteOnlyCell(worksheet, value=value.item() if hasattr(value, "item") else value)
    if formatted:
        if name.endswith("_year"):
            cell.number_format = "0"
        elif _is_percent(name):
            cell.number_format = "0.00%"
        elif abs(value) >= 100:
            cell.number_format = "#,##0"
        else:
            cell.number_format = "0.00"
    return cell


def _for_reading(table: pd.DataFrame, name_column: str | None, lang: str) -> pd.DataFrame:
    """The table with a `name` column after its indicator or metric keys, and schemes and sexes
    named in `lang` (the keys stay, so a sheet can be matched with its CSV file)."""
    pick = 0 if lang == "zh" else 1
    table = table.copy()
    for column, names in (("scheme", SCHEME_NAMES), ("sex", SEX_NAMES)):
        if column in table:
            table[column] = table[column].map(lambda value, n=names: n[value][pick] if value in n else value)
    if name_column is not None:
        table.insert(table.columns.get_loc(name_column) + 1, "name", table[name_column].map(lambda k: metric_name(str(k), lang)))
    return table
