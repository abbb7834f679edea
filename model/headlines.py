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


def valuation_year(scenario) -> int | None:
    """The scenario's pension valuation year, or None without a pension stage."""
    return int(scenario.pension.valuation_year.at(scenario.years.base)) if scenario.pension is not None else None


def _series(tables: dict, metric: metrics.Metric) -> list[tuple[str, pd.Series]]:
    """(group, values by year) of a metric in a run's tables."""
    frame = tables[metric.table]
    frame = frame[frame["indicator" if metric.table == "indicators" else "metric"] == metric.key]
    if metric.scheme is not None:
        frame = frame[frame.scheme == metric.scheme]
    groups = frame.groupby("mix", sort=False) if metric.table == "abm" else [("", frame)]
    return [(group, rows.dropna(subset=["year", "value"]).astype({"year": int}).set_index("year")["value"])
            for group, rows in groups]


def headline_figures(tables: dict, valuation_year: int | None = None) -> list[Headline]:
    """Every headline the run's tables have, in the registry's order; those the registry marks
    `from_valuation` start at `valuation_year` (the first year after the published accounts)."""
    found = []
    for metric in metrics.headlines():
        if metric.table not in tables:
            continue
        for group, values in _series(tables, metric):
            if metric.from_valuation and valuation_year is not None:
                values = values[values.index >= valuation_year]
            if len(values):
                found.append(Headline(metric, group, (int(values.index[0]), float(values.iloc[0])),
                                      (int(values.index[-1]), float(values.iloc[-1]))))
    return found
