"""Scenario comparison: key indicators side by side, differences from the first scenario,
overlay charts and a workbook. Runs are reused when a finished run of the same scenario
(same resolved configuration, by its SHA-256) is already in its output folder."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pandas as pd

from .config import Scenario, model_digest
from .folders import intact, read_manifest

COMPARE_YEARS = (2025, 2030, 2035)
# (table, scheme filter, metric) of the key indicators.
KEY_INDICATORS = (
    ("indicators", None, "population_total"), ("indicators", None, "share_60plus"),
    ("indicators", None, "share_65plus"), ("indicators", None, "share_80plus"),
    ("indicators", None, "old_age_dependency_ratio"), ("indicators", None, "births"), ("indicators", None, "deaths"),
    ("pension", "employee", "self_sufficiency_ratio"), ("pension", "employee", "dependency_ratio"),
    ("pension", "employee", "balance"), ("care", None, "severe"), ("care", None, "beds_needed"),
    ("care", None, "bed_gap"), ("care", None, "norm_gap"),
)
ABM_METRICS = ("waiting", "unmet_need", "occupancy")
TABLES = ("population", "indicators", "pension", "care", "abm")


def finished_tables(folder: Path, scenario: Scenario) -> dict[str, pd.DataFrame] | None:
    """The tables of a finished run of this scenario in `folder`, or None: the run must have
    the same model-relevant configuration, the same silverplan version, and files that still
    match the checksums of its manifest (a damaged or edited table means a rerun)."""
    recorded = read_manifest(folder)
    if recorded is None or recorded.get("kind") != "run":
        return None
    # The same numbers: same model-relevant configuration and the same silverplan version
    # (presentation settings such as the language do not matter; they are redrawn anyway).
    if recorded.get("model_sha256") != model_digest(scenario):
        return None
    if recorded.get("versions", {}).get("silverplan") != metadata.version("silverplan"):
        return None
    if not intact(folder, recorded):
        return None
    names = [name for name in TABLES if f"{name}.csv" in recorded["files"]]
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in names}
    for name, table in tables.items():  # county runs: the city's rows come first
        if "region" in table:
            tables[name] = table[table.region == table.region.iloc[0]].drop(columns="region").reset_index(drop=True)
    return tables


def key_indicators(runs: dict[str, dict[str, pd.DataFrame]], years=COMPARE_YEARS) -> pd.DataFrame:
    """Tidy comparison: indicator, year, scenario, value, difference from the first scenario."""
    rows = []
    for name, tables in runs.items():
        for table, scheme, metric in KEY_INDICATORS:
            if table not in tables:
                continue
            frame = tables[table]
            column = "indicator" if table == "indicators" else "metric"
            frame = frame[frame[column] == metric]
            if scheme is not None:
                frame = frame[frame.scheme == scheme]
            label = f"{scheme}_{metric}" if scheme else metric
            for year in years:
                value = frame.loc[frame.year == year, "value"]
                rows.append((label, year, name, float(value.iloc[0]) if len(value) else float("nan")))
        if "abm" in tables:  # the care-mix model: each mix's queue, unmet need and occupancy
            abm = tables["abm"]
            for (mix, metric), frame in abm[abm.metric.isin(ABM_METRICS)].groupby(["mix", "metric"], sort=False):
                for year in years:
                    value = frame.loc[frame.year == year, "value"]
                    rows.append((f"abm_{mix}_{metric}", year, name, float(value.iloc[0]) if len(value) else float("nan")))
    table = pd.DataFrame(rows, columns=["indicator", "year", "scenario", "value"])
    first = table[table.scenario == next(iter(runs))].set_index(["indicator", "year"])["value"]
    reference = table.set_index(["indicator", "year"]).index.map(first.get)
    table["difference"] = table["value"] - reference.to_numpy(dtype=float)
    return table


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison as planners read it: one row per indicator and year, a column per
    scenario, then each scenario's difference from the first."""
    order = list(dict.fromkeys(table.scenario))
    wide = table.pivot_table(index=["indicator", "year"], columns="scenario", values="value", sort=False, dropna=False)
    wide = wide[order]
    for name in order[1:]:
        wide[f"{name} − {order[0]}"] = wide[name] - wide[order[0]]
    return wide.reset_index()
