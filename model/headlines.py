"""The headline figures of a run — what the terminal summary and the report's tiles show —
taken from the tables by the metric registry's `headline` order: each figure in the base
year and the end year (a flow: the first and the last twelve months projected)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import metrics


@dataclass(frozen=True)
class Headline:
    metric: metrics.Metric
    group: str                    # the care mix of an agent-based figure; "" otherwise
    first: tuple[int, float]      # (year, value)
    last: tuple[int, float]
    band: tuple[float, float] | None = None   # the last year's interval (see INTERVALS), if the run has one


# Interval columns a table may carry: the probabilistic trials' 80% interval, the care-mix
# model's interval over replicates.
INTERVALS = (("p10", "p90"), ("low", "high"))


def valuation_year(scenario) -> int | None:
    """The scenario's pension valuation year, or None without a pension stage."""
    return int(scenario.pension.valuation_year.at(scenario.years.base)) if scenario.pension is not None else None


def _series(tables: dict, metric: metrics.Metric) -> list[tuple[str, pd.DataFrame]]:
    """(group, rows by year: value and any interval columns) of a metric in a run's tables."""
    frame = tables[metric.table]
    frame = frame[frame["indicator" if metric.table == "indicators" else "metric"] == metric.key]
    if metric.scheme is not None:
        frame = frame[frame.scheme == metric.scheme]
    groups = frame.groupby("mix", sort=False) if metric.table == "abm" else [("", frame)]
    return [(group, rows.dropna(subset=["year", "value"]).astype({"year": int}).set_index("year"))
            for group, rows in groups]


def _band(row: pd.Series) -> tuple[float, float] | None:
    for low, high in INTERVALS:
        if low in row and high in row and pd.notna(row[low]) and pd.notna(row[high]):
            return float(row[low]), float(row[high])
    return None


def headline_figures(tables: dict, valuation_year: int | None = None) -> list[Headline]:
    """Every headline the run's tables have, in the registry's order; those the registry marks
    `from_valuation` start at `valuation_year` (the first year after the published accounts)."""
    found = []
    for metric in metrics.headlines():
        if metric.table not in tables:
            continue
        for group, rows in _series(tables, metric):
            if metric.from_valuation and valuation_year is not None:
                rows = rows[rows.index >= valuation_year]
            if len(rows):
                values = rows["value"]
                found.append(Headline(metric, group, (int(values.index[0]), float(values.iloc[0])),
                                      (int(values.index[-1]), float(values.iloc[-1])), _band(rows.iloc[-1])))
    return found
