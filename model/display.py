"""How a value of a unit is shown to a reader: the scale of chart axes and table columns
(万人, 亿元, %), and a formatted number for tiles and the terminal. The unit comes from the
metric registry (`metrics.py`); the words of each unit from `scenario.quantities.UNITS`."""

from __future__ import annotations

import math
import unicodedata

from .scenario.quantities import unit_words

# unit: ((divisor, label) in Chinese, (divisor, label) in English) for axes and wide tables.
SCALES = {
    "persons": ((1e4, "万人"), (1e3, "thousand persons")),
    "beds": ((1e4, "万张"), (1e3, "thousand beds")),
    "yuan": ((1e8, "亿元"), (1e9, "billion yuan")),
    "fraction": ((0.01, "%"), (0.01, "%")),
}


def scale(unit: str, lang: str) -> tuple[float, str]:
    """(divisor, label) for showing values of `unit` on a chart axis or in a wide table."""
    if unit in SCALES:
        return SCALES[unit][0 if lang == "zh" else 1]
    return 1.0, unit_words(unit, lang)


def number(value: float | None, unit: str, lang: str) -> str:
    """A value for a tile or the terminal: counts with thousands separators, fractions as %,
    money in 亿元 / billion yuan, a year as a year; '—' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "yuan":
        divisor, label = scale(unit, lang)
        return f"{value / divisor:,.1f} {label}" if lang == "en" else f"{value / divisor:,.1f}{label}"
    if unit == "year":
        return str(int(value))
    if unit in ("persons", "beds", "places", "workers", "hours_per_month", "yuan_per_month", "yuan_per_year", "count"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def excel_format(unit: str) -> str:
    """The number format of a unit's values in the long (machine) sheets of a workbook."""
    if unit == "fraction":
        return "0.00%"
    if unit == "year":
        return "0"
    if unit in ("persons", "beds", "places", "workers", "yuan", "yuan_per_month", "yuan_per_year", "count",
                "hours_per_month"):
        return "#,##0"
    return "0.00"


def width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """`text` padded with spaces to `columns` terminal columns (right-aligned if `right`)."""
    space = " " * max(0, columns - width(text))
    return space + text if right else text + space
