"""Headline figures of a run, in one tidy table: what planners quote and what the regression
baseline (tests/data/baseline_headlines.csv) guards."""

from __future__ import annotations

import pandas as pd

HEADLINE_YEARS = (2020, 2025, 2030, 2035)
POPULATION = ("population_total", "share_60plus", "share_65plus", "share_80plus", "births", "deaths")
PENSION = ("contributors", "beneficiaries", "self_sufficiency_ratio", "balance", "average_pension")
CARE = ("severe", "mild", "beds_needed", "bed_gap", "norm_gap")


def headline_figures(result) -> pd.DataFrame:
    """(table, name, year, value) for the headline years present in the run."""
    frames = []
    ind = result.tables["indicators"].dropna(subset=["year"])
    ind = ind[ind.indicator.isin(POPULATION)].rename(columns={"indicator": "name"})
    frames.append(ind.assign(table="indicators"))
    if "pension" in result.tables:
        pension = result.tables["pension"]
        pension = pension[(pension.scheme == "employee") & pension.metric.isin(PENSION)]
        frames.append(pension.rename(columns={"metric": "name"}).drop(columns="scheme").assign(table="pension_employee"))
    if "care" in result.tables:
        care = result.tables["care"]
        frames.append(care[care.metric.isin(CARE)].rename(columns={"metric": "name"}).assign(table="care"))
    table = pd.concat(frames, ignore_index=True)
    table = table[table.year.isin(HEADLINE_YEARS)].astype({"year": int})
    return table[["table", "name", "year", "value"]].sort_values(["table", "name", "year"]).reset_index(drop=True)
