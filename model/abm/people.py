"""People in need of care: one row per person, held as NumPy columns.

A Python object per person would make each monthly step cost a million attribute look-ups;
columns let the health events and the care choices of a month be drawn in a few array
operations (benchmarks/abm.py measures both ways). Each row is still one person with
their own age, sex, area, severity, living arrangement, pension scheme, care setting,
provider and waiting status. Rows of people who died, recovered or moved away are dropped
once a year (`compact`).
"""

from __future__ import annotations

import numpy as np

from ..states import COMMUNITY, HOME, HOME_CARE, INSTITUTION, MILD, SEVERE

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
    "living": np.int8,       # index into LIVING_NAMES
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
                    living_shares: np.ndarray) -> dict:
    """Area, pension scheme and living arrangement for `count` new people."""
    area = _categorical(rng, count, area_shares)
    employee = rng.random(count) < employee_share[area]
    return {"area": area, "scheme": np.where(employee, EMPLOYEE, RESIDENT),
            "living": _categorical(rng, count, living_shares)}


def _categorical(rng: np.random.Generator, count: int, shares: np.ndarray) -> np.ndarray:
    drawn = np.searchsorted(np.cumsum(shares), rng.random(count) * shares.sum(), side="right")
    return np.minimum(drawn, len(shares) - 1)


def stochastic_round(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Integers with the given expectation and the least variance (floor + a Bernoulli draw)."""
    whole = np.floor(expected)
    return (whole + (rng.random(expected.shape) < expected - whole)).astype(np.int64)


# --------------------------------------------------------------------------- choosing care


def choice_odds(living: np.ndarray, ability: np.ndarray, price: np.ndarray, institution_odds: np.ndarray,
                elasticity: float) -> np.ndarray:
    """Relative odds of an institution for each person before the mix's level is applied:
    living arrangement × affordability, where affordability = (share of the net price the
    person and family can pay) ** elasticity."""
    affordable = np.minimum(1.0, ability / np.maximum(price, 1.0)) ** elasticity
    return institution_odds[living] * affordable


def calibrate_levels(state: np.ndarray, relative_odds: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Odds levels by state and setting (3 states × [home, community, institution]) such that
    these people, choosing with the given relative institution odds, split by the target shares.

    targets (3, 3): shares by state; the levels of home are 1. Solved by proportional fitting,
    which converges because each share rises monotonically with its own level.
    """
    levels = np.ones((3, 3))
    for s in (MILD, SEVERE):
        mine = state == s
        if not mine.any():
            levels[s, 1:] = targets[s, 1:] / np.maximum(targets[s, 0], 1e-12)
            continue
        relative = relative_odds[mine]
        for _ in range(200):
            odds = np.stack([np.ones_like(relative), np.full_like(relative, levels[s, 1]), levels[s, 2] * relative])
            shares = (odds / odds.sum(axis=0)).mean(axis=1)
            if np.abs(shares - targets[s]).max() < 1e-9:
                break
            levels[s, 1:] *= np.where(shares[1:] > 0, targets[s, 1:] / np.maximum(shares[1:], 1e-300), 1.0)
            levels[s, 1:] /= max(targets[s, 0], 1e-12) / max(shares[0], 1e-12)
    return levels


def choose(rng: np.random.Generator, state: np.ndarray, relative_odds: np.ndarray, levels: np.ndarray,
           home_care_uptake: np.ndarray) -> np.ndarray:
    """Each person's chosen setting: home, community or institution by the odds; at home,
    formal home care with the uptake probability of their severity."""
    odds = np.stack([np.ones(len(state)), levels[state, 1], levels[state, 2] * relative_odds], axis=1)
    cumulative = np.cumsum(odds, axis=1)
    draw = rng.random(len(state)) * cumulative[:, -1]
    pick = (draw[:, None] >= cumulative).sum(axis=1)   # 0 home, 1 community, 2 institution
    setting = np.array([HOME, COMMUNITY, INSTITUTION])[pick]
    formal_at_home = (setting == HOME) & (rng.random(len(state)) < home_care_uptake[state])
    return np.where(formal_at_home, HOME_CARE, setting)
