"""Plan targets checked against the projection: for each target of the scenario (`targets:`),
the projected value of its indicator in its year, and whether the plan is on track.

A target whose indicator is set by a scenario input (the registry's `inputs`, such as the bed
plan behind beds per 1,000) is met or missed by construction, not by the projection: the table
says which input sets it, so nobody reads it as a finding.
"""

from __future__ import annotations

import math

import pandas as pd

from . import metrics

COLUMNS = ["table", "indicator", "group", "year", "target", "direction", "projected", "on_track", "set_by_inputs",
           "source"]


def projected_value(tables: dict, table: str, indicator: str, year: int, group: str | None) -> float:
    """The projection's value of `indicator` (of `table`) in `year`, for its pension scheme or
    care mix `group`; NaN where the run has none."""
    if table not in tables:
        return math.nan
    frame = tables[table]
    frame = frame[(frame["indicator" if table == "indicators" else "metric"] == indicator) & (frame.year == year)]
    metric = metrics.metric(table, indicator)
    if table == "pension":
        frame = frame[frame.scheme == (group or metric.scheme or "employee")]
    elif table == "abm":
        frame = frame[frame.mix == (group or frame.mix.iloc[0])] if len(frame) else frame
    return float(frame.value.iloc[0]) if len(frame) else math.nan


def target_year_projected(target, tables: dict) -> bool:
    """Whether the run's table of `target` covers its year."""
    return target.table in tables and bool((tables[target.table].year == target.year).any())


def on_track(projected: float, target: float, direction: str) -> bool | None:
    """Whether `projected` meets `target` in `direction` (at_least / at_most); None if unknown."""
    if math.isnan(projected):
        return None
    return projected >= target if direction == "at_least" else projected <= target


def checkpoints(targets, tables: dict, lang: str = "en") -> pd.DataFrame:
    """One row per target of a stage the run has: its value, the projection's, whether it is
    met, the inputs that set the indicator (empty where the projection decides), the source
    (in `lang`, the run's language: the report and the workbook show it)."""
    rows = []
    for target in (t for t in targets if t.table in tables and target_year_projected(t, tables)):
        value = projected_value(tables, target.table, target.indicator, target.year, target.group)
        source = target.source
        rows.append((target.table, target.indicator, target.group or "", target.year, float(target.value),
                     target.direction, value, on_track(value, float(target.value), target.direction),
                     ", ".join(metrics.metric(target.table, target.indicator).inputs),
                     source.text(lang)))
    return pd.DataFrame(rows, columns=COLUMNS)
