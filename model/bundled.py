"""The bundled default data (``model/data/``, each file named with its source in
``model/data/SOURCES.md``): default age schedules of mortality, fertility and migration, and
the tables the stages read by name.

Array conventions used throughout: sex axis ordered (male, female); ages 0..100 where 100 is
100 and over; a year axis first when there is one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .lifetable import N_AGES, SEXES

DATA_DIR = Path(__file__).parent / "data"


@lru_cache(maxsize=None)
def bundled_table(name: str) -> pd.DataFrame:
    """A bundled CSV file (read once; callers must not change it)."""
    return pd.read_csv(DATA_DIR / name, dtype={"code": "string"})


def _read_only(array: np.ndarray) -> np.ndarray:
    """A cached array callers share: writing to it is an error, not a silent change."""
    array.flags.writeable = False
    return array


def by_sex_age(frame: pd.DataFrame, value: str) -> np.ndarray:
    """Pivot a (sex, age, value) frame into an array shaped (2, 101)."""
    table = frame.pivot(index="sex", columns="age", values=value).reindex(index=list(SEXES), columns=range(N_AGES))
    return table.to_numpy(dtype=float)


@lru_cache(maxsize=None)
def standard_mortality() -> np.ndarray:
    """Default age pattern of mortality, mx shaped (2, 101) (UN WPP 2024, China 2020)."""
    return _read_only(by_sex_age(bundled_table("mortality_standard.csv"), "mx"))


@lru_cache(maxsize=None)
def fertility_shape() -> np.ndarray:
    """Default age pattern of fertility: share of TFR at each age, shape (101,), sums to 1."""
    shape = np.zeros(N_AGES)
    frame = bundled_table("fertility_shape.csv")
    shape[frame["age"].to_numpy()] = frame["share"].to_numpy()
    return _read_only(shape / shape.sum())


@lru_cache(maxsize=None)
def migration_schedule() -> np.ndarray:
    """Default age pattern of migration intensity, shape (2, 101) (Rogers–Castro)."""
    return _read_only(by_sex_age(bundled_table("migration_schedule.csv"), "intensity"))


def reference_value(region_chain: list[str], item: str) -> tuple[float, dict] | None:
    """The first published or derived reference value of `item` (average wage, average pension,
    beds per 1,000 …; `model/data/reference_values.csv`) for the first region of
    `region_chain` that has one (e.g. the county, its city, its province, 全国), and its source
    as a `Source` mapping; None if no region has it."""
    table = bundled_table("reference_values.csv")
    for region in region_chain:
        rows = table[(table.region == region) & (table.item == item)]
        if len(rows):
            row = rows.iloc[0]
            source = {"kind": row.kind, "title": row.title, "region": region}
            for column in ("page", "note"):
                if isinstance(row[column], str) and row[column]:
                    source[column] = row[column]
            return float(row.value), source
    return None


def year_end_series(region: str) -> tuple[dict[int, float], dict] | None:
    """The published year-end resident populations of `region` ({year: persons},
    `model/data/year_end_population.csv`) and their source as a `Source` mapping (the titles
    of the bulletins, joined); None if none is bundled."""
    table = bundled_table("year_end_population.csv")
    rows = table[table.region == region].sort_values("year")
    if not len(rows):
        return None
    values = {int(y): float(v) for y, v in zip(rows.year, rows.persons)}
    titles = list(dict.fromkeys(rows.title))
    pages = "; ".join(f"{int(y)}: {int(v):,} ({page})" for y, v, page in zip(rows.year, rows.persons, rows.page))
    urls = " ".join(u for u in dict.fromkeys(rows.url.fillna("")) if u)
    source = {"kind": "published", "title": "; ".join(titles), "page": pages, "year": int(rows.published.max()),
              "region": region}
    if urls:
        source["url"] = urls
    return values, source
