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


# unit: ((divisor, label, decimals) in Chinese, the same in English) in tables for readers
# (the Word chapter, the workbook's year-column sheets, comparison sheets): 万人 / 亿元 / 张 / %.
READER = {
    "persons": ((1e4, "万人", 2), (1e3, "thousand", 1)),
    "beds": ((1.0, "张", 0), (1.0, "beds", 0)),
    "places": ((1.0, "个", 0), (1.0, "places", 0)),
    "workers": ((1.0, "人", 0), (1.0, "workers", 0)),
    "yuan": ((1e8, "亿元", 2), (1e9, "billion yuan", 2)),
    "yuan_per_month": ((1.0, "元/月", 0), (1.0, "yuan a month", 0)),
    "fraction": ((0.01, "%", 2), (0.01, "%", 2)),
    "per_1000": ((1.0, "每千人", 1), (1.0, "per 1,000", 1)),
    "per_100": ((1.0, "每百人", 1), (1.0, "per 100", 1)),
    "years": ((1.0, "岁", 1), (1.0, "years", 1)),
    "months": ((1.0, "月", 1), (1.0, "months", 1)),
    "children_per_woman": ((1.0, "孩子/妇女", 2), (1.0, "children per woman", 2)),
    "hours_per_month": ((1.0, "小时/月", 0), (1.0, "hours a month", 0)),
    "year": ((1.0, "年", 0), (1.0, "year", 0)),
    "ratio": ((1.0, "倍", 2), (1.0, "ratio", 2)),
}
# Counts of people the care tables give person by person (人), not in 万人.
EXACT_PERSONS = ((1.0, "人", 0), (1.0, "persons", 0))


def reader(metric, lang: str) -> tuple[float, str, int]:
    """(divisor, unit label, decimals) of a registry metric in tables for readers: people in
    万人 (thousands in English), except the care tables' counts (``metric.table`` care or abm,
    and the care figures repeated in the indicators), which are read in 人."""
    care_count = metric.table in ("care", "abm") or metric.key.startswith("care_")
    if metric.unit == "persons" and care_count:
        found = EXACT_PERSONS
    else:
        words = unit_words(metric.unit, lang)
        found = READER.get(metric.unit, ((1.0, words, 2), (1.0, words, 2)))
    return found[0 if lang == "zh" else 1]


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


def setting(value) -> str:
    """A parameter value as written (a sweep holds them as text) for a label: a number with
    thousands separators (30,900), anything else as written."""
    try:
        return f"{float(value):,.10g}"
    except ValueError:
        return str(value)


def width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """`text` padded with spaces to `columns` terminal columns (right-aligned if `right`)."""
    space = " " * max(0, columns - width(text))
    return space + text if right else text + space
