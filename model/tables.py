"""Users' CSV tables, read and checked against their declarations (`TableRef` in
``model/scenario/quantities.py``): numbers, ranges, sexes, ages 0..100 and coverage of every
projection year; any problem becomes a one-line `ScenarioError` naming the file and what is
wrong (never the content of a file that is not such a table).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .lifetable import N_AGES, SEXES
from .scenario.quantities import FertilityTable, MortalityTable, PrevalenceTable, TableRef


def read_table(table: TableRef, key: str, years: np.ndarray | None = None) -> pd.DataFrame:
    """Read and check a user table against its declaration (`TableRef` subclass): numbers where
    numbers belong, each value column within its range, sexes and ages 0..100, one row per
    key, and (with a year column) every year in `years` covered. Errors name the file, the
    column and the row; they show a cell only of a file whose header is the declared one."""
    path = table.path
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        reason = type(exc).__name__.replace("Error", " error").strip()
        raise ScenarioError(f"{key}: {path}: cannot be read as a CSV table ({reason})") from None
    frame.columns = [c.strip() for c in frame.columns]
    if sorted(frame.columns) != sorted(table.columns):
        raise ScenarioError(f"{key}: {path}: expected exactly the columns {', '.join(table.columns)}")
    if frame.empty:
        raise ScenarioError(f"{key}: {path}: the table has no rows")
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
        if column in table.text_columns:
            continue
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = ~np.isfinite(converted)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ScenarioError(f"{key}: {path}: column {column!r}, row {row + 2}: "
                                f"{shown_cell(frame[column].iloc[row])} is not a finite number")
        frame[column] = converted
    for column in ("age", "year"):
        if column in frame and (frame[column] % 1 != 0).any():
            raise ScenarioError(f"{key}: {path}: column {column!r} must hold whole numbers")
    if "age" in frame:
        frame["age"] = frame["age"].astype(int)
        outside = frame[(frame["age"] < 0) | (frame["age"] > 100)]
        if not outside.empty:
            raise ScenarioError(f"{key}: {path}: age {outside['age'].iloc[0]} is outside 0..100 (100 means 100+)")
    if "sex" in frame:
        wrong = sorted(set(frame["sex"].fillna("")) - set(SEXES))
        if wrong:
            raise ScenarioError(f"{key}: {path}: sex {shown_cell(wrong[0])} is not allowed; use 'male' or 'female'")
    for column, (lo, hi) in table.bounds.items():
        outside = np.flatnonzero(((frame[column] < lo) | (frame[column] > hi)).to_numpy())
        if len(outside):
            row = int(outside[0])
            raise ScenarioError(f"{key}: {path}: column {column!r}, row {row + 2}: {frame[column].iloc[row]:g} is "
                                f"out of range; allowed {lo:g} to {hi:g}")
    if "year" in frame:
        frame["year"] = frame["year"].astype(int)
        missing = sorted(set(years.tolist()) - set(frame["year"]))
        if missing:
            raise ScenarioError(
                f"{key}: {path}: no rows for year {missing[0]}"
                f"{f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''}; "
                f"the table must cover every projection year {years[0]}..{years[-1]}"
            )
        frame = frame[frame["year"].isin(years)]
    index = [c for c in ("region", "area", "year", "sex", "age", "age_group") if c in frame]
    if frame.duplicated(index).any():
        dup = frame[frame.duplicated(index)].iloc[0]
        where = ", ".join(f"{c} {dup[c]}" for c in index)
        raise ScenarioError(f"{key}: {path}: more than one row for {where}")
    rule = _TABLE_RULES.get(type(table))
    if rule is not None:
        rule(frame, key, path, years)
    return frame


def shown_cell(value) -> str:
    """A cell of a user table in an error message, cut short."""
    value = str(value)
    return repr(value if len(value) <= 20 else value[:20] + "…")


def _check_death_rates(frame: pd.DataFrame, key: str, path: Path, years: np.ndarray) -> None:
    """Every year, sex and age present; 0 <= mx < 2 below 100 (so q < 1 with a = 1/2), mx > 0 at 100+."""
    expected = len(years) * len(SEXES) * N_AGES
    if len(frame) != expected:
        raise ScenarioError(
            f"{key}: {path}: has {len(frame)} rows for the projection years; a death-rate table needs "
            f"every year, sex and age 0..100 ({expected} rows)"
        )
    closed = frame[frame["age"] < 100]
    if (closed["mx"] >= 2).any():
        row = closed[closed["mx"] >= 2].iloc[0]
        raise ScenarioError(f"{key}: {path}: mx {row['mx']:g} at age {row['age']} is out of range; allowed 0 to below 2")
    if (frame.loc[frame["age"] == 100, "mx"] <= 0).any():
        raise ScenarioError(f"{key}: {path}: mx at age 100 (100+) must be > 0")


def _check_fertility(frame: pd.DataFrame, key: str, path: Path, years) -> None:
    """The TFR of each year (the sum of ASFR over ages) within the TFR path's range, 0 to 10."""
    tfr = frame.groupby("year")["asfr"].sum()
    if (tfr > 10).any():
        raise ScenarioError(f"{key}: {path}: asfr sums to {tfr.max():g} (the TFR) in {int(tfr.idxmax())}; "
                            "allowed at most 10 children per woman")


def _check_prevalence(frame: pd.DataFrame, key: str, path: Path, years) -> None:
    total = (frame["mild"] + frame["severe"]).to_numpy()
    if (total > 1).any():
        row = int(np.flatnonzero(total > 1)[0])
        raise ScenarioError(f"{key}: {path}: row {row + 2}: mild + severe = {total[row]:g}; at most 1 "
                            "(shares of the people of that sex and age)")


_TABLE_RULES = {MortalityTable: _check_death_rates, FertilityTable: _check_fertility, PrevalenceTable: _check_prevalence}


def table_to_array(frame: pd.DataFrame, value: str, years: np.ndarray | None = None) -> np.ndarray:
    """Rows of (year?, sex?, age, value) → an array with axes (year?, sex?, age); absent ages are 0.

    Axes appear only for columns present: (n_years, 2, 101), (n_years, 101) or (2, 101).
    """
    axes, shape = [], []
    if "year" in frame:
        year_index = {int(y): i for i, y in enumerate(years)}
        axes.append(frame["year"].map(year_index).to_numpy())
        shape.append(len(years))
    if "sex" in frame:
        axes.append(frame["sex"].map({s: i for i, s in enumerate(SEXES)}).to_numpy())
        shape.append(len(SEXES))
    axes.append(frame["age"].to_numpy())
    shape.append(N_AGES)
    out = np.zeros(shape)
    out[tuple(axes)] = frame[value].to_numpy()
    return out
