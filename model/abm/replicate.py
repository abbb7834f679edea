"""One run of the care-mix model as a worker process receives it: the mix resolved into plain
arrays (`MixArrays`, built by `mix.resolve_mix`) and `run_replicate`.

NumPy only at import, so that the parent process can hand out runs without importing Mesa
and a worker imports no scenario, pandas or pydantic of its own to receive them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MixArrays:
    """Inputs of one model run: a mix of the scenario, with the population and health states."""

    name: str                       # the mix's key in abm.mixes
    years: np.ndarray               # stock years, base … end
    scale: int                      # persons per agent
    priority: str
    nursing_grades: np.ndarray      # by state: whose beds are nursing-type (care.nursing_grades): (3,) bool
    other_area_after_months: int
    # population and health states (from the population and care stages)
    stocks: np.ndarray              # people aged 60..100+ by year and sex: (years, 2, 41)
    counts: np.ndarray              # by year, sex, state, age: (years, 2, 3, 41)
    death: np.ndarray               # (years − 1, 2, 3, 41)
    move: np.ndarray                # (years − 1, 2, 3, 3, 41)
    entry: np.ndarray               # (years, 2, 3)
    migration: np.ndarray           # (years − 1, 2, 41)
    # people's attributes and behaviour
    areas: tuple[str, ...]                # ("urban", "rural"), or the counties
    people_area_shares: np.ndarray        # where people in need live: (areas,)
    employee_share: np.ndarray            # drawing an employee pension, by area: (areas,)
    living_shares: np.ndarray             # by area, sex, age 60..100+ and arrangement (LIVING_NAMES): (areas, 2, 41, 3)
    family_support: np.ndarray            # yuan per month by living arrangement, wage-indexed: (months, 3)
    pension_income: np.ndarray            # yuan per month by scheme (employee, resident): (months, 2)
    institution_odds: np.ndarray          # by living arrangement: (3,)
    institution_odds_80plus: float
    price_elasticity: float
    shares: np.ndarray                    # preferences by year, state × (home, community, institution): (years, 3, 3)
    home_care_uptake: np.ndarray          # by state (healthy unused): (3,)
    home_care_hours: np.ndarray           # hours a month by state: (3,)
    interim_home_care: bool               # people waiting for a bed take home care meanwhile
    # supply and money, by month
    institutions: int
    bed_area_shares: np.ndarray           # where the beds are, by month: (months, areas)
    centre_area_shares: np.ndarray        # where the community centres are: (areas,)
    institution_public_share: float
    private_self_caring_first: bool       # provider behaviour (abm.supply)
    let_nursing_beds: bool
    community_centres: int
    beds: np.ndarray                      # (months,)
    nursing_share: np.ndarray
    beds_norm: np.ndarray                 # per 1,000 aged 60+
    daycare_users: np.ndarray             # users the day-care places can serve
    home_care_hours_supply: np.ndarray    # worker-hours a month
    price_index: np.ndarray               # average wage ÷ base-year average wage
    price_general: float                  # base year, private; yuan per month
    price_nursing: float
    public_price_factor: float
    price_daycare: float
    price_home_care: float                # yuan per hour
    # levers on prices, yuan a month per user by month, formal setting (people.FORMAL) and state
    subsidy: np.ndarray                   # public funds: (months, 3, 3)
    insurance: np.ndarray                 # share of the price the LTC-insurance fund pays (0: not eligible): (months, 3, 3)
    public_bed_subsidy: np.ndarray
    new_bed_subsidy: np.ndarray

    @property
    def months(self) -> int:
        """Steps of a run: every month from the base stock date to the end stock date."""
        return 12 * (len(self.years) - 1) + 1


def run_replicate(arrays: MixArrays, seed: int) -> list[tuple[int, str, float]]:
    """One run of one mix: (year, metric, value) rows."""
    from .model import CareMixModel   # Mesa (~0.7 s): imported where the runs are made

    model = CareMixModel(arrays, seed)
    model.run()
    return model.results()
