"""Everything one care mix needs, resolved from the scenario into plain monthly arrays.

The agent-based model reads only this (no scenario objects), so a mix's arrays can be sent
to worker processes cheaply and a model can be built in a test from a few arrays.
Month k is the k-th month after the base-year stock date (1 November 2020 = month 0); a
time path is read at base + k/12, so month 0, 12, 24 … agree with care.csv's yearly values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..care_demand import HealthStates, anchored_shares, home_workers_needed, use_shares, users_by_setting
from ..states import OLD_AGE, STATES
from ..errors import ScenarioError
from ..scenario import Scenario, TimePath
from ..demography import PopulationProjection
from .. import tables
from .replicate import MixArrays
from .living import fit_living, table_shares
from .people import FORMAL, LIVING_NAMES


def _monthly(path: TimePath, times: np.ndarray) -> np.ndarray:
    return np.asarray(path.at(times), dtype=float)


def _pension_by_month(pension: pd.DataFrame, years: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Average pension by scheme, yuan per month, from the pension stage, interpolated monthly."""
    columns = []
    for scheme in ("employee", "resident"):
        rows = pension[(pension.scheme == scheme) & (pension.metric == "average_pension")].set_index("year").value
        columns.append(np.interp(times, years, rows.reindex(years).to_numpy(dtype=float)))
    return np.stack(columns, axis=1)


def _areas(scenario: Scenario, counties: pd.DataFrame | None) -> dict:
    """Urban and rural areas; or, with counties (their care table), one area per county:
    people placed by the county's base-year share of people in need, centres by its share of
    the 60+; employee-pension shares the city's average. Beds by area (`bed_area_shares`):
    the base year's urban/rural split, or the counties' planned beds by year (regions.beds);
    `_beds_by_area` turns them into each month's shares."""
    people, supply = scenario.abm.people, scenario.abm.supply
    base = scenario.years.base
    urban = float(people.urban_share.at(base))
    by_area = np.array([float(people.employee_share["urban"].at(base)), float(people.employee_share["rural"].at(base))])
    if counties is None:
        beds = float(supply.institution_urban_share.at(base))
        return {"areas": ("urban", "rural"), "people_area_shares": np.array([urban, 1 - urban]),
                "employee_share": by_area, "bed_area_shares": np.array([[beds, 1 - beds]]),
                "centre_area_shares": np.array([urban, 1 - urban])}
    wide = counties[counties.year == base].pivot(index="region", columns="metric", values="value")
    wide = wide.reindex(list(dict.fromkeys(counties.region)))
    in_need = (wide["mild"] + wide["severe"]).to_numpy()
    average = by_area @ np.array([urban, 1 - urban])
    planned = counties[counties.metric == "beds_supplied"].pivot(index="year", columns="region", values="value")
    return {"areas": tuple(wide.index), "people_area_shares": in_need / in_need.sum(),
            "employee_share": np.full(len(wide), average),
            "bed_area_shares": planned[list(wide.index)].to_numpy(),   # the counties' bed plans, by year
            "centre_area_shares": (wide["elderly_60plus"] / wide["elderly_60plus"].sum()).to_numpy()}


def _beds_by_area(areas: dict, beds: np.ndarray, new_shares: dict[str, float] | None, years: np.ndarray,
                  times: np.ndarray, mix: str) -> np.ndarray:
    """Each month's share of the beds in each area (months, areas). Without a bed plan by area
    the plan's own placing: the base year's split, or the counties' planned beds by year
    (interpolated). With `new_shares` (abm.mixes.<mix>.new_beds_by_area): the base year's beds
    stay where they are and the beds beyond them go to the areas in those shares (fewer beds
    than in the base year: each area loses in proportion)."""
    names, planned = areas["areas"], areas["bed_area_shares"]
    by_year = planned / planned.sum(axis=1, keepdims=True)
    shares = np.stack([np.interp(times, years, by_year[:, a]) for a in range(len(names))], axis=1) \
        if len(by_year) > 1 else np.repeat(by_year, len(times), axis=0)
    if new_shares is None:
        return shares
    unknown = sorted(set(new_shares) - set(names))
    if unknown:
        raise ScenarioError(f"abm.mixes.{mix}.new_beds_by_area: {', '.join(unknown)} is not an area of this run "
                            f"(allowed: {', '.join(names)})")
    where = np.array([new_shares.get(area, 0.0) for area in names])
    base = beds[0] * shares[0]
    added = np.maximum(beds - beds[0], 0)[:, None] * where
    by_area = base * np.minimum(beds / beds[0], 1)[:, None] + added
    return by_area / by_area.sum(axis=1, keepdims=True)


def living_by_age(scenario: Scenario, states: HealthStates, areas: tuple[str, ...] = ("urban", "rural")) -> np.ndarray:
    """Living-arrangement shares by area, sex and age (areas, 2, 41, LIVING_NAMES): the user's
    table (abm.people.living_table), or shares fitted to the scenario's with the base year's
    death rates of all health states, the same in every area (living.py)."""
    people, base = scenario.abm.people, scenario.years.base
    if people.living_table is not None:
        frame = tables.read_table(people.living_table, "abm.people.living_table")
        return table_shares(frame, areas, "abm.people.living_table")
    counts = states.counts[0]                                  # (sex, state, age)
    death = (counts * states.death[0]).sum(axis=1) / np.maximum(counts.sum(axis=1), 1e-12)
    try:
        shares = fit_living(death, counts.sum(axis=1), float(people.living["alone"].at(base)),
                            float(people.living["spouse"].at(base)), float(people.alone_women_to_men.at(base)),
                            int(round(float(people.spouse_age_gap.at(base)))))
    except ValueError as exc:
        raise ScenarioError(f"abm.people.{exc}") from None
    return np.repeat(shares[None], len(areas), axis=0)


def resolve_mix(scenario: Scenario, population: PopulationProjection, states: HealthStates,
                pension: pd.DataFrame, name: str, counties: pd.DataFrame | None = None) -> MixArrays:
    """The arrays for mix `name` of the scenario's abm section (`counties`: the county care
    table, to place people and beds in counties)."""
    abm, care = scenario.abm, scenario.care
    mix = abm.mixes[name]
    years = population.years.astype(int)
    months = 12 * (len(years) - 1) + 1
    times = years[0] + np.arange(months) / 12
    stocks = population.arrays.population[:, :, OLD_AGE:]
    elderly = np.interp(times, years, stocks.sum(axis=(1, 2)))

    # Preferences, the same for every mix: the observed base-year use, moving to care.mix as
    # the care stage's use does, or held.
    base_shares = anchored_shares(scenario, states.counts[0].sum(axis=(0, 2)))
    if abm.behaviour.preferences == "observed":
        shares = np.repeat(base_shares[None], len(years), axis=0)
    else:
        shares = np.stack([use_shares(scenario, base_shares, care.mix, year) for year in years])
    if mix.beds is not None:
        beds = _monthly(mix.beds, times)
    elif mix.beds_per_1000 is not None:
        beds = _monthly(mix.beds_per_1000, times) * elderly / 1000
    elif mix.beds_held:
        beds = np.full(months, float(care.beds.at(years[0])))
    else:
        beds = _monthly(care.beds, times)
    areas = _areas(scenario, counties)
    areas["bed_area_shares"] = _beds_by_area(areas, beds, mix.new_beds_by_area, years, times, name)
    nursing_share = _monthly(mix.nursing_share or care.nursing_share, times)
    daycare_places = _monthly(mix.daycare_places or abm.supply.daycare_places, times)
    if mix.daycare_factor is not None:
        daycare_places = daycare_places * _monthly(mix.daycare_factor, times)
    workers = _monthly(mix.home_care_workers or abm.supply.home_care_workers, times)
    if mix.home_care_workers is None and abm.supply.home_care_workers_growth == "need":
        # The base-year workforce grows as the care stage's home-care workforce need does.
        need = home_workers_needed(scenario, users_by_setting(scenario, states.counts, years), years)
        workers = workers * np.interp(times, years, need / need[0])
    if mix.home_care_workers_factor is not None:
        workers = workers * _monthly(mix.home_care_workers_factor, times)
    behaviour, supply, subsidies, insurance = abm.behaviour, abm.supply, mix.subsidies, mix.ltc_insurance
    uptake = behaviour.home_care_uptake
    zero = np.zeros(months)
    subsidy = np.stack([np.stack([zero, _monthly(subsidies.community, times), _monthly(subsidies.community, times)], axis=1),
                        np.stack([zero, _monthly(subsidies.institution_mild, times),
                                  _monthly(subsidies.institution_severe, times)], axis=1),
                        np.stack([zero, _monthly(subsidies.home_care, times), _monthly(subsidies.home_care, times)], axis=1)],
                       axis=1)
    eligible = np.array([state in insurance.eligible for state in STATES])
    covered = np.stack([_monthly(getattr(insurance, setting), times) for setting in FORMAL], axis=1)   # (months, 3)
    insured = covered[:, :, None] * eligible[None, None, :]

    # Prices and families' incomes rise with the average wage (care is labour); pensions as
    # the pension stage projects them.
    growth = scenario.pension.wages.growth.at(years[1:])
    price_index = np.interp(times, years, np.concatenate([[1.0], np.cumprod(1 + growth)]))
    return MixArrays(
        name=name, years=years, scale=abm.scale, priority=mix.priority or abm.priority,
        nursing_grades=np.array([state in care.nursing_grades for state in STATES]),
        other_area_after_months=int(abm.other_area_after_months.at(years[0])),
        stocks=stocks, counts=states.counts, death=states.death, move=states.move, entry=states.entry,
        migration=states.migration,
        **areas,
        living_shares=living_by_age(scenario, states, areas["areas"]),
        family_support=np.stack([_monthly(behaviour.family_support[k], times) for k in LIVING_NAMES], axis=1)
        * price_index[:, None],
        pension_income=_pension_by_month(pension, years, times),
        institution_odds=np.array([float(behaviour.institution_odds[k].at(years[0])) for k in LIVING_NAMES]),
        institution_odds_80plus=float(behaviour.institution_odds_80plus.at(years[0])),
        price_elasticity=float(behaviour.price_elasticity.at(years[0])),
        shares=shares,
        home_care_uptake=np.array([0.0, float(uptake["mild"].at(years[0])), float(uptake["severe"].at(years[0]))]),
        interim_home_care=behaviour.interim_home_care,
        home_care_hours=np.array([0.0] + [float(behaviour.home_care_hours[k].at(years[0])) for k in ("mild", "severe")]),
        institutions=int(supply.institutions.at(years[0])),
        institution_public_share=float(supply.institution_public_share.at(years[0])),
        private_self_caring_first=supply.private_self_caring_first, let_nursing_beds=supply.let_nursing_beds,
        community_centres=int(supply.community_centres.at(years[0])),
        beds=beds, nursing_share=nursing_share, beds_norm=_monthly(care.beds_norm, times),
        daycare_users=daycare_places / np.maximum(_monthly(care.daycare_places_per_user, times), 1e-9),
        home_care_hours_supply=workers * _monthly(supply.hours_per_worker, times),
        price_index=price_index,
        price_general=float(supply.price_general_bed.at(years[0])),
        price_nursing=float(supply.price_nursing_bed.at(years[0])),
        public_price_factor=float(supply.public_price_factor.at(years[0])),
        price_daycare=float(supply.price_daycare.at(years[0])),
        price_home_care=float(supply.price_home_care.at(years[0])),
        subsidy=subsidy, insurance=insured,
        public_bed_subsidy=_monthly(supply.public_bed_subsidy, times),
        new_bed_subsidy=_monthly(supply.new_bed_subsidy, times),
    )
