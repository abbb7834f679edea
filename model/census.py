"""The 2020 census as bundled (``model/data/census2020_*.csv``): its age groups, and the
persons by sex and age group, urban population and place of every Shanxi city and county,
every province and 全国, looked up by name or 6-digit division code.

The census reference date is 1 November 2020 (`CENSUS_DATE`).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .bundled import bundled_table
from .errors import ScenarioError
from .lifetable import SEXES

CENSUS_YEAR, CENSUS_MONTH = 2020, 11   # the 7th census counted the population of 1 November 2020
CENSUS_SOURCE = {"title": "中国人口普查分县资料—2020", "year": 2022}  # the tables bundled (model/data/SOURCES.md)

_AGE_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")


def parse_age_band(label: str) -> tuple[int, int]:
    """'15-59' → (15, 60); '65+' → (65, 101): the half-open range of single ages 0..100."""
    match = _AGE_BAND.match(label)
    if not match:
        raise ValueError(f"age band {label!r} is not of the form 'A-B' or 'A+'")
    lower = int(match.group(1))
    upper = int(match.group(2)) + 1 if match.group(2) else 101
    if not 0 <= lower < upper <= 101:
        raise ValueError(f"age band {label!r} must lie within ages 0..100")
    return lower, upper


# Age groups of the bundled 2020 census table: 0, 1-4, 5-9, ..., 80-84, 85+.
CENSUS_GROUPS = ("0", "1-4", *(f"{a}-{a + 4}" for a in range(5, 85, 5)), "85+")
CENSUS_GROUP_LOWER = np.array([0, 1] + list(range(5, 90, 5)))  # first age of 0, 1-4, 5-9, ..., 80-84, 85+


@lru_cache(maxsize=None)
def _census_by_region(name: str = "census2020_age_sex_5y.csv") -> pd.DataFrame:
    """A bundled census table with a `name` column: the province, city or county its level names."""
    frame = bundled_table(name).copy()
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


@lru_cache(maxsize=None)
def _census_groups(region: str, key: str) -> np.ndarray:
    table = _census_rows(_census_by_region(), region, key).pivot(index="sex", columns="age_group", values="population")
    return table.reindex(index=list(SEXES), columns=list(CENSUS_GROUPS)).to_numpy(dtype=float)


@lru_cache(maxsize=None)
def census_place(region: str) -> tuple[str, str, str] | None:
    """(province, city, county) of a census region given by name or code, or None if unknown
    or ambiguous."""
    try:
        row = _census_rows(_census_by_region(), region, "census").iloc[0]
    except ScenarioError:
        return None
    return row["province"], row["city"], row["county"]


def profile_region(census_region: str | None, reference_region: str | None, region: str | None) -> str:
    """The census region whose age–sex shape and facts describe a base population: its own
    census region; else the stated reference region; else the province of the scenario's
    region where the census knows it; else 全国 (a base of totals and shares alone)."""
    if census_region:
        return census_region
    if reference_region:
        return reference_region
    place = census_place(region) if region else None
    return place[0] if place else "全国"


def census_facts(region: str, key: str, otherwise: str = "") -> dict:
    """A region's 2020 census facts: population, urban and rural population, households (all,
    one-person, with someone aged 65+), and employed persons by industry in the 10% long form
    (`employed_sample`, `mining_sample`, …)."""
    return dict(_census_facts(region, key, otherwise))


@lru_cache(maxsize=None)
def _census_facts(region: str, key: str, otherwise: str) -> dict:
    return _census_rows(_census_by_region("census2020_region_facts.csv"), region, key, otherwise).iloc[0].to_dict()


def census_urban_population(region: str, key: str, otherwise: str = "") -> tuple[float, float]:
    """A region's 2020 census population living in towns (城镇), and its whole population."""
    facts = census_facts(region, key, otherwise)
    return float(facts["urban"]), float(facts["population"])
