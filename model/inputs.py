"""Read the bundled default data and users' CSV tables into arrays, checking them as we go.

Bundled files live in ``model/data/`` and are named, with sources, in ``model/data/SOURCES.md``.
User tables (named by a scenario's ``table:`` keys) are checked for numbers, ranges, sexes,
ages 0..100 and coverage of every projection year; any problem becomes a one-line
`ScenarioError` naming the file and what is wrong.

Array conventions used throughout: sex axis ordered (male, female); ages 0..100 where 100 is
100 and over; a year axis first when there is one.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .config import (CENSUS_GROUPS, FertilityTable, MortalityTable, PrevalenceTable, ScenarioError,
                     TableRef)
from .lifetable import N_AGES, SEXES

DATA_DIR = Path(__file__).parent / "data"
CENSUS_GROUP_LOWER = np.array([0, 1] + list(range(5, 90, 5)))  # 0, 1-4, 5-9, ..., 80-84, 85+


@lru_cache(maxsize=None)
def _bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / name, dtype={"code": "string"})


def _by_sex_age(frame: pd.DataFrame, value: str) -> np.ndarray:
    """Pivot a (sex, age, value) frame into an array shaped (2, 101)."""
    table = frame.pivot(index="sex", columns="age", values=value).reindex(index=list(SEXES), columns=range(N_AGES))
    return table.to_numpy(dtype=float)


def standard_mortality() -> np.ndarray:
    """Default age pattern of mortality, mx shaped (2, 101) (UN WPP 2024, China 2020)."""
    return _by_sex_age(_bundled("mortality_standard.csv"), "mx")


def fertility_shape() -> np.ndarray:
    """Default age pattern of fertility: share of TFR at each age, shape (101,), sums to 1."""
    shape = np.zeros(N_AGES)
    frame = _bundled("fertility_shape.csv")
    shape[frame["age"].to_numpy()] = frame["share"].to_numpy()
    return shape / shape.sum()


def migration_schedule() -> np.ndarray:
    """Default age pattern of migration intensity, shape (2, 101) (Rogers–Castro)."""
    return _by_sex_age(_bundled("migration_schedule.csv"), "intensity")


@lru_cache(maxsize=None)
def _census_by_region(name: str = "census2020_age_sex_5y.csv") -> pd.DataFrame:
    """A bundled census table with a `name` column: the province, city or county its level names."""
    frame = _bundled(name).copy()
    frame["name"] = np.select(
        [frame["level"] == "province", frame["level"] == "city"],
        [frame["province"], frame["city"]],
        frame["county"],
    )
    return frame


def _census_rows(frame: pd.DataFrame, region: str, key: str, otherwise: str = "") -> pd.DataFrame:
    """The rows of one census region, by name or 6-digit code; a one-line error otherwise (with
    a close name if there is one, else `otherwise`)."""
    matches = frame[(frame["name"] == region) | (frame["code"] == region)]
    if matches.empty:
        guess = difflib.get_close_matches(region, sorted(set(frame["name"])), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else otherwise or "; see model/data/SOURCES.md"
        raise ScenarioError(f"{key}: {region!r} is not a region of the bundled 2020 census{hint}")
    if matches[["code", "level"]].drop_duplicates().shape[0] > 1:
        raise ScenarioError(f"{key}: {region!r} names more than one region; use its 6-digit code")
    return matches


def census_groups(region: str, key: str = "population.base.census_region") -> np.ndarray:
    """2020 census persons by sex and age group (0, 1–4, …, 80–84, 85+), shape (2, 19).

    `region` is a name (晋中市, 山西省, 全国, 榆次区 …) or a 6-digit division code.
    """
    return _census_groups(region, key).copy()


@lru_cache(maxsize=64)
def _census_groups(region: str, key: str) -> np.ndarray:
    table = _census_rows(_census_by_region(), region, key).pivot(index="sex", columns="age_group", values="population")
    return table.reindex(index=list(SEXES), columns=list(CENSUS_GROUPS)).to_numpy(dtype=float)


def census_place(region: str) -> tuple[str, str, str] | None:
    """(province, city, county) of a census region given by name or code, or None if unknown
    or ambiguous."""
    try:
        row = _census_rows(_census_by_region(), region, "census").iloc[0]
    except ScenarioError:
        return None
    return row["province"], row["city"], row["county"]


def census_urban_population(region: str, key: str, otherwise: str = "") -> tuple[float, float]:
    """A region's 2020 census population living in towns (城镇), and its whole population."""
    row = _census_rows(_census_by_region("census2020_urban_rural.csv"), region, key, otherwise).iloc[0]
    return float(row["urban"]), float(row["population"])


# --------------------------------------------------------------------------- user tables


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
    index = [c for c in ("region", "year", "sex", "age", "age_group") if c in frame]
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
