"""Living arrangement by age and sex: who has a spouse at home, who lives alone, who with children.

No table of older people's living arrangements by age and sex was found (the 2020 census long
form asks it, but its tables are not published in a form reachable here). The age pattern is
therefore derived the way kinship models do it: a person of sex s aged x still has a spouse
with probability

    spouse(s, x) = m · S_other(x ± gap) / S_other(60 ± gap)

(m: the share of 60-year-olds with a spouse; S: survival of the other sex from the base-year
death rates; husbands `gap` years older than their wives). Among people with a spouse a share
c_spouse also lives with children; among those without, c_alone. The three numbers are fitted
to the published shares:

* the 60+'s shares living alone and with a spouse only (abm.people.living), which fix c_spouse
  and c_alone for any m;
* the ratio of women to men living alone among the 65+ (abm.people.alone_women_to_men), which
  fixes m, since c_alone cancels from it.

The shares of people living with children by sex are then a check (tests/test_abm.py). A
table by area, sex and age group (abm.people.living_table, e.g. the census's) replaces the
derived shares (`table_shares`).

Each person carries a rank, a uniform draw fixed for life; their arrangement at age x is where
the rank falls in the cumulative shares (spouse, alone, children) of their area, sex and age,
so a cohort moves from couples to living alone (widowhood) to living with children as it ages.
"""

from __future__ import annotations

import numpy as np

ORDER = (1, 0, 2)   # LIVING_NAMES codes in the life-course order of the ranks: spouse, alone, children


def spouse_alive(death: np.ndarray, gap: int) -> np.ndarray:
    """Probability (2, ages) that a person aged 60 + a of each sex (0 male, 1 female) who had a
    spouse at 60 still has one: the spouse's survival from the age they had then. `death`:
    yearly death probabilities by sex and age 60.. (2, ages); husbands `gap` years older."""
    ages = death.shape[1]
    survival = np.concatenate([np.ones((2, 1)), np.cumprod(1 - death, axis=1)[:, :-1]], axis=1)
    a = np.arange(ages)
    husbands = survival[0, np.minimum(a + gap, ages - 1)] / survival[0, min(gap, ages - 1)]
    wives = survival[1, np.maximum(a - gap, 0)] / survival[1, 0]   # wives under 60 taken as alive
    return np.stack([wives, husbands])   # a man's wife, a woman's husband


def fit_living(death: np.ndarray, persons: np.ndarray, alone: float, spouse: float,
               alone_women_to_men: float, gap: int, from_age: int = 5) -> np.ndarray:
    """Shares by sex, age and arrangement (2, ages, 3; LIVING_NAMES order) that reproduce the 60+'s `alone` and `spouse` shares (weights:
    `persons`, (2, ages)) and the women-to-men ratio of living alone at 60 + `from_age` and over
    (see the module docstring). Raises ValueError, naming the abm.people field, when no m in
    (0, 1] gives that ratio or the shares cannot be met."""
    alive = spouse_alive(death, gap)
    older = persons[:, from_age:]

    def ratio(m):
        without = 1 - m * (alive[:, from_age:] * older).sum(axis=1) / older.sum(axis=1)
        return without[1] / without[0]

    if not ratio(1e-9) <= alone_women_to_men <= ratio(1.0):
        raise ValueError(f"alone_women_to_men: no share married at 60 makes women {alone_women_to_men:.2f} times as "
                         f"often alone as men with these death rates (possible: {ratio(1e-9):.2f}–{ratio(1.0):.2f})")
    low, high = 1e-9, 1.0
    for _ in range(60):   # the ratio rises with m
        middle = (low + high) / 2
        low, high = (middle, high) if ratio(middle) < alone_women_to_men else (low, middle)
    m = (low + high) / 2
    with_spouse = m * alive
    total = persons.sum()
    children_if_spouse = 1 - spouse / ((with_spouse * persons).sum() / total)
    children_if_alone = 1 - alone / (((1 - with_spouse) * persons).sum() / total)
    if not (0 <= children_if_spouse <= 1 and 0 <= children_if_alone <= 1):
        raise ValueError(f"living: {alone:.0%} alone and {spouse:.0%} with a spouse only cannot both be met when "
                         f"{(with_spouse * persons).sum() / total:.0%} of the 60+ have a spouse (fitted to "
                         f"alone_women_to_men); lower the spouse share or raise the alone share")
    return np.stack([(1 - with_spouse) * (1 - children_if_alone), with_spouse * (1 - children_if_spouse),
                     with_spouse * children_if_spouse + (1 - with_spouse) * children_if_alone], axis=-1)


def arrangement(shares: np.ndarray, area: np.ndarray, sex: np.ndarray, age: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Living arrangement codes (LIVING_NAMES) of people by area, sex, age (from 60) and fixed
    rank; shares: (areas, 2, ages, 3)."""
    bounds = np.cumsum(shares[..., list(ORDER)], axis=-1).reshape(-1, 3)   # the table is small: sum it first
    cell = (area.astype(np.intp) * 2 + sex) * shares.shape[2] + age
    position = (rank >= bounds[cell, 0]).astype(np.int8) + (rank >= bounds[cell, 1])
    return np.asarray(ORDER)[position].astype(np.int8)


def table_shares(frame, areas: tuple[str, ...], key: str) -> np.ndarray:
    """Shares (areas, 2, 41, 3) from a checked living table (tables.read_table): rows of an area
    of the run or of `all` (for areas without rows of their own), each sex and age group from
    60 to 100+ covered once. Raises ScenarioError naming `key` and what is allowed."""
    from ..census import parse_age_band
    from ..errors import ScenarioError
    from ..states import OLD_AGE

    unknown = sorted(set(frame.area) - {*areas, "all"})
    if unknown:
        raise ScenarioError(f"{key}: area {unknown[0]!r} is not an area of this run (allowed: all, {', '.join(areas)})")
    total = frame[["alone", "spouse", "children"]].sum(axis=1)
    if ((total - 1).abs() > 0.005).any():
        row = int(np.flatnonzero(((total - 1).abs() > 0.005).to_numpy())[0])
        raise ScenarioError(f"{key}: row {row + 2}: alone + spouse + children is {total.iloc[row]:.3f}; each row must add up to 1")
    shares = np.full((len(areas), 2, 101 - OLD_AGE, 3), np.nan)
    for area_index, area in enumerate(areas):
        rows = frame[frame.area == area] if (frame.area == area).any() else frame[frame.area == "all"]
        for row in rows.itertuples(index=False):
            try:
                lower, upper = parse_age_band(row.age_group)
            except ValueError as exc:
                raise ScenarioError(f"{key}: {exc}") from None
            if lower < OLD_AGE:
                raise ScenarioError(f"{key}: age group {row.age_group!r} starts below {OLD_AGE}")
            shares[area_index, ("male", "female").index(row.sex), lower - OLD_AGE:upper - OLD_AGE] = (
                row.alone / (row.alone + row.spouse + row.children), row.spouse / (row.alone + row.spouse + row.children),
                row.children / (row.alone + row.spouse + row.children))
        if np.isnan(shares[area_index]).any():
            sex, age = np.argwhere(np.isnan(shares[area_index, :, :, 0]))[0]
            raise ScenarioError(f"{key}: no row covers {('male', 'female')[sex]} aged {OLD_AGE + age} in area {area!r}; "
                                f"give age groups from {OLD_AGE} to 100+ for each sex (area 'all' serves every area)")
    return shares
