"""People in need of care: one row per person, held as NumPy columns.

A Python object per person would make each monthly step cost a million attribute look-ups;
columns let the health events and the care choices of a month be drawn in a few array
operations (benchmarks/abm.py measures both ways). Each row is still one person with
their own age, sex, area, severity, living arrangement, pension scheme, care setting,
provider and waiting status. Rows of people who died, recovered or moved away are dropped
once a year (`compact`). Whoever is not active (gone, or arriving later in the year) is at
home with no provider, so counts by setting need not look at `active`.
"""

from __future__ import annotations

import numpy as np

from .living import arrangement
from ..states import COMMUNITY, HOME, HOME_CARE, INSTITUTION, MILD, OLD_AGE, SEVERE

LIVING_NAMES = ("alone", "spouse", "children")  # living arrangement codes 0, 1, 2
EMPLOYEE, RESIDENT = 0, 1

# Events of the year, each at its own month: the state model allows one per person a year.
NO_EVENT, ARRIVE, DIE, WORSEN, RECOVER = 0, 1, 2, 3, 4

COLUMNS = {
    "active": bool,          # in need of care and living in the city now
    "sex": np.int8,          # 0 male, 1 female
    "age": np.int8,          # age − 60 at the last 1 November (40 = 100+)
    "area": np.int16,        # index into the areas (urban/rural, or counties)
    "state": np.int8,        # MILD or SEVERE
    "living": np.int8,       # index into LIVING_NAMES, by age, sex and rank (living.arrangement)
    "living_rank": np.float32,  # a uniform draw fixed for life: where the person falls in the shares
    "scheme": np.int8,       # EMPLOYEE or RESIDENT pension
    "setting": np.int8,      # where care is received now
    "provider": np.int32,    # index of the institution or community centre, −1 if none
    "nursing_bed": bool,     # in a nursing-type bed
    "wants": np.int8,        # the setting chosen; ≠ setting while waiting
    "wait_since": np.int32,  # month the wait began
    "since": np.int32,       # month the current setting began
    "event": np.int8,        # this year's event
    "event_month": np.int8,  # its month, 0 (November) .. 11 (October)
}


class People:
    """The register of people in need of care (structure of arrays, grown as needed)."""

    def __init__(self, capacity: int = 1024):
        self.size = 0
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def __len__(self) -> int:
        return self.size

    def add(self, count: int, **values) -> np.ndarray:
        """Append `count` rows with the given column values; returns their row numbers."""
        if self.size + count > len(self.active):
            grown = max(2 * len(self.active), self.size + count)
            for name in COLUMNS:
                column = getattr(self, name)
                bigger = np.zeros(grown, dtype=column.dtype)
                bigger[: self.size] = column[: self.size]
                setattr(self, name, bigger)
        rows = np.arange(self.size, self.size + count)
        self.size += count
        for name in COLUMNS:
            getattr(self, name)[rows] = 0
        self.provider[rows] = -1
        for name, value in values.items():
            getattr(self, name)[rows] = value
        return rows

    def compact(self) -> None:
        """Drop rows of people no longer in the register and not about to arrive."""
        keep = np.flatnonzero((self.active | (self.event == ARRIVE))[: self.size])
        for name in COLUMNS:
            column = getattr(self, name)
            column[: len(keep)] = column[keep]
        self.size = len(keep)

    def view(self, name: str) -> np.ndarray:
        """The live part of a column."""
        return getattr(self, name)[: self.size]


def draw_attributes(rng: np.random.Generator, count: int, area_shares: np.ndarray, employee_share: np.ndarray,
                    living_shares: np.ndarray, sex: int, ages: np.ndarray) -> dict:
    """Area, pension scheme, living-arrangement rank and arrangement for `count` new people of
    one sex aged `ages` (from 60); living_shares by area, sex, age and arrangement (living.py)."""
    area = _categorical(rng, count, area_shares)
    employee = rng.random(count) < employee_share[area]
    rank = rng.random(count).astype(np.float32)
    return {"area": area, "scheme": np.where(employee, EMPLOYEE, RESIDENT), "living_rank": rank,
            "living": arrangement(living_shares, area, np.full(count, sex), np.asarray(ages), rank)}


def _categorical(rng: np.random.Generator, count: int, shares: np.ndarray) -> np.ndarray:
    drawn = np.searchsorted(np.cumsum(shares), rng.random(count) * shares.sum(), side="right")
    return np.minimum(drawn, len(shares) - 1)


def stochastic_round(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Integers with the given expectation and the least variance (floor + a Bernoulli draw)."""
    whole = np.floor(expected)
    return (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)


# --------------------------------------------------------------------------- choosing care
#
# A person in need chooses among family care only (home), community day care and an
# institution, and if at home whether to add formal home care. The odds of each formal setting
# are its level for the person's grade (set by the yearly review, the same for every mix) ×
# the person's relative odds: the affordability of its net price, and for an institution the
# living arrangement's and the old-old's odds. A lever that lowers a net price (subsidy,
# insurance) raises the relative odds of whoever could not pay it all; nothing else about a mix
# enters the choice.

FORMAL = ("community", "institution", "home_care")   # columns of relative odds, prices, levels[:, 1:]
OLD_OLD = 80 - OLD_AGE   # the age column counts from 60; the old-old (80+) have odds of their own

# Everything a person's relative odds depend on — grade, pension scheme, living arrangement and
# whether 80 or over — takes few values, so the odds are computed once per group of people who
# share them (36 groups) and the yearly calibration weighs the groups by their counts.
GROUP_SHAPE = (3, 2, len(LIVING_NAMES), 2)   # state × scheme × living × old-old
GROUP_STATE, GROUP_SCHEME, GROUP_LIVING, GROUP_OLD = np.unravel_index(np.arange(np.prod(GROUP_SHAPE)), GROUP_SHAPE)


def odds_group(state: np.ndarray, scheme: np.ndarray, living: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Each person's group of shared relative odds (an index into the GROUP_* columns)."""
    old = (age >= OLD_OLD).astype(np.int8)
    return ((state * GROUP_SHAPE[1] + scheme) * GROUP_SHAPE[2] + living) * GROUP_SHAPE[3] + old   # row-major, as GROUP_*


MAX_NEWTON, NEWTON_STEP = 50, 5.0   # iterations and the largest step (in log odds) of the solver below


def affordability(ability: np.ndarray, price: np.ndarray, elasticity: float) -> np.ndarray:
    """(Share of the net price the person and family can pay) ** elasticity; 1 for whoever can
    pay it all."""
    return np.minimum(1.0, ability / np.maximum(price, 1.0)) ** elasticity


def choice_odds(living: np.ndarray, age: np.ndarray, ability: np.ndarray, prices: np.ndarray,
                institution_odds: np.ndarray, odds_80plus: float, elasticity: float) -> np.ndarray:
    """Relative odds (people, 3) of the FORMAL settings before the levels: affordability of each
    net price (prices: (people, 3), yuan a month), × for an institution the living arrangement's
    odds and, at 80 and over (age counted from 60), the odds of the old-old."""
    odds = affordability(ability[:, None], prices, elasticity)
    odds[:, 1] *= institution_odds[living] * np.where(age >= OLD_OLD, odds_80plus, 1.0)
    return odds


def _level_for_mean(relative: np.ndarray, target: float, weights: np.ndarray) -> float:
    """The level L at which the weighted mean of L·r / (1 + L·r) is `target`, by Newton's
    method on log L (the mean rises with L, so the root is unique)."""
    target = min(max(target, 1e-9), 1 - 1e-9)
    weights = weights / weights.sum()
    log_relative = np.log(np.maximum(relative, 1e-300))
    x = np.log(target / (1 - target)) - log_relative @ weights
    for _ in range(MAX_NEWTON):
        chosen = 1 / (1 + np.exp(-(x + log_relative)))
        miss = chosen @ weights - target
        if abs(miss) < 1e-12:
            break
        x -= np.clip(miss / max((chosen * (1 - chosen)) @ weights, 1e-300), -NEWTON_STEP, NEWTON_STEP)
    return float(np.exp(x))


def calibrate_levels(state: np.ndarray, relative: np.ndarray, targets: np.ndarray,
                     home_care_uptake: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Odds levels by state (3) × [home, community, institution, home care] such that these
    people (or groups of people, each counted `weights` times), choosing with the given
    relative odds, split by the target shares (3 states × [home, community, institution])
    and, of those at home, take formal home care at the uptake of their grade. The level of
    home is 1. Solved by proportional fitting, which converges because each share rises
    monotonically with its own level.
    """
    weights = np.asarray(weights, dtype=float)
    levels = np.ones((3, 4))
    for s in (MILD, SEVERE):
        mine = (state == s) & (weights > 0)
        if not mine.any():
            levels[s, 1:3] = targets[s, 1:] / np.maximum(targets[s, 0], 1e-12)
            levels[s, 3] = home_care_uptake[s] / max(1 - home_care_uptake[s], 1e-12)
            continue
        relative_mine, share_of = relative[mine], weights[mine] / weights[mine].sum()
        for _ in range(200):
            odds = np.stack([np.ones(len(relative_mine)), levels[s, 1] * relative_mine[:, 0],
                             levels[s, 2] * relative_mine[:, 1]])
            shares = (odds / odds.sum(axis=0)) @ share_of
            if np.abs(shares - targets[s]).max() < 1e-9:
                break
            levels[s, 1:3] *= np.where(shares[1:] > 0, targets[s, 1:] / np.maximum(shares[1:], 1e-300), 1.0)
            levels[s, 1:3] /= max(targets[s, 0], 1e-12) / max(shares[0], 1e-12)
        levels[s, 3] = _level_for_mean(relative_mine[:, 2], home_care_uptake[s], weights[mine])
    return levels


def choose(rng: np.random.Generator, groups: np.ndarray, relative: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Each person's chosen setting (groups: their odds_group; relative: the groups' relative
    odds): home, community or institution by the odds; at home, formal home care by its odds."""
    home_or_community = 1 + levels[GROUP_STATE, 1] * relative[:, 0]   # cumulative odds; home's are 1
    every = home_or_community + levels[GROUP_STATE, 2] * relative[:, 1]
    home_care = levels[GROUP_STATE, 3] * relative[:, 2]
    draw = rng.random(len(groups)) * every[groups]
    pick = (draw >= 1).astype(np.int64) + (draw >= home_or_community[groups])   # 0 home, 1 community, 2 institution
    setting = np.array([HOME, COMMUNITY, INSTITUTION])[pick]
    formal_at_home = (setting == HOME) & (rng.random(len(groups)) < (home_care / (1 + home_care))[groups])
    return np.where(formal_at_home, HOME_CARE, setting)
