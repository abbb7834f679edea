"""The figures the regression baseline guards (tests/data/baseline_headlines.csv): every
metric the registry marks `baseline`, in the scenario's milestone years, as one tidy table.
`scripts/refresh_baseline.py` rewrites the file after a deliberate change."""

from __future__ import annotations

import pandas as pd

from . import metrics


def baseline_figures(result) -> pd.DataFrame:
    """(table, name, year, value) of the baseline metrics in the run's milestone years;
    pension metrics for the scheme the registry names (table `pension_<scheme>`)."""
    frames = []
    for metric in (m for m in metrics.REGISTRY.values() if m.baseline):
        if metric.table not in result.tables:
            continue
        frame = result.tables[metric.table]
        frame = frame[frame["indicator" if metric.table == "indicators" else "metric"] == metric.key]
        table = metric.table
        if metric.scheme is not None:
            frame, table = frame[frame.scheme == metric.scheme], f"{metric.table}_{metric.scheme}"
        frames.append(frame.dropna(subset=["year"]).assign(table=table, name=metric.key)[["table", "name", "year", "value"]])
    found = pd.concat(frames, ignore_index=True)
    found = found[found.year.isin(result.scenario.milestones())].astype({"year": int})
    return found.sort_values(["table", "name", "year"]).reset_index(drop=True)
