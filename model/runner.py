"""Chain the stages for one scenario: population first, then the stages the scenario lists.

Stages are pure functions (scenario, earlier results) → tables; none reads or writes files.
The runner times each stage and reports progress through an optional callback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .config import Scenario
from .care_demand import care_indicators, project_care_demand, project_states, user_prevalence
from .demography import PopulationProjection, build_inputs, project_population
from .pension import pension_indicators, project_pensions

Progress = Callable[[str], None]


@dataclass
class RunResult:
    """Everything one run produced: the tidy tables of DESIGN.md's output contract."""

    scenario: Scenario
    population: PopulationProjection
    tables: dict[str, pd.DataFrame]
    timings: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    regions: dict[str, pd.DataFrame] | None = None   # county tables (region column), when counties are projected


def check_inputs(scenario: Scenario) -> None:
    """Build every input of the scenario (every table read and checked as a run reads it,
    rates calibrated) without projecting."""
    build_inputs(scenario)
    if scenario.regions is not None:
        from .regions import county_inputs

        county_inputs(scenario)
    if scenario.care is not None and scenario.care.prevalence_table is not None:
        user_prevalence(scenario)


def aggregate_stages(scenario: Scenario, population: PopulationProjection, calibration: tuple | None = None,
                     timings: dict | None = None, progress: Progress | None = None, population_tables: bool = True):
    """The population tables and the pension and care-demand stages the scenario lists:
    (tables, health states or None). `calibration` reuses the care stage's 2020 fit; without
    `population_tables`, indicators holds only the pension and care rows (trials compute the
    population rows for all trials at once)."""
    report = progress or (lambda message: None)
    timings = {} if timings is None else timings
    tables = ({"population": population.population, "indicators": population.indicators} if population_tables
              else {"indicators": pd.DataFrame(columns=["year", "indicator", "value"])})
    timings["population"] = 0.0
    states = None
    # Further stages run in DESIGN.md's order; the schema refuses a stage that is not
    # available, so nothing listed is silently skipped.
    if "pension" in scenario.stages:
        report("pension projection")
        started = time.perf_counter()
        tables["pension"] = project_pensions(scenario, population)
        tables["indicators"] = pd.concat([tables["indicators"], pension_indicators(tables["pension"])],
                                         ignore_index=True)
        timings["pension"] = time.perf_counter() - started
    if "care" in scenario.stages:
        report("care demand")
        started = time.perf_counter()
        states = project_states(scenario, population, calibration)
        tables["care"], fit = project_care_demand(scenario, population, states)
        tables["indicators"] = pd.concat([tables["indicators"], care_indicators(tables["care"], fit)],
                                         ignore_index=True)
        timings["care"] = time.perf_counter() - started
    return tables, states


def run_scenario(scenario: Scenario, progress: Progress | None = None) -> RunResult:
    """Run the population projection and the scenario's further stages."""
    report = progress or (lambda message: None)
    timings: dict[str, float] = {}

    report("population projection")
    started = time.perf_counter()
    counties = None
    if scenario.regions is not None:
        from .regions import project_counties

        counties = project_counties(scenario)
        population = counties.city
    else:
        population = project_population(scenario)
    tables, states = aggregate_stages(scenario, population, timings=timings, progress=report)
    regions = None
    if counties is not None:
        regions, states = county_tables(scenario, counties, tables, states)
    timings["population"] += time.perf_counter() - started - sum(v for k, v in timings.items() if k != "population")
    if scenario.uncertainty.trials:
        from .uncertainty import add_intervals, check_memory, project_trials  # statsmodels: only for trials

        check_memory(scenario.uncertainty.trials, sum(len(tables[name]) for name in ("indicators", "pension", "care")
                                                      if name in tables))
        report(f"uncertainty: {scenario.uncertainty.trials} trials")
        started = time.perf_counter()
        values = project_trials(scenario, scenario.uncertainty.trials, states.calibration if states else None, report)
        for name, matrix in values.items():
            tables[name] = add_intervals(tables[name], matrix, scenario.years.end)
        timings["uncertainty"] = time.perf_counter() - started
    if "abm" in scenario.stages:
        from .abm import run_care_abm  # imports mesa (~0.7 s): only when the stage runs

        report("care-mix model (agent-based)")
        started = time.perf_counter()
        tables["abm"] = run_care_abm(scenario, population, states, tables["pension"], report,
                                     regions["care"] if regions else None)
        timings["abm"] = time.perf_counter() - started
    return RunResult(scenario=scenario, population=population, tables=tables,
                     timings=timings, warnings=list(population.warnings), regions=regions)


def county_tables(scenario: Scenario, counties, tables: dict, states):
    """Per-county population, indicators and care (a `region` column), and the city's care
    replaced by the sum of the counties' so that county figures add up to the city's. Returns
    (county tables, the city's health states pooled from the counties' for the care-mix model)."""
    from .care_demand import pool_states
    from .regions import city_care, disability_factors

    frames: dict[str, list] = {"population": [], "indicators": [], "care": []}
    county_states = []
    factors = (disability_factors(scenario, counties, states.calibration)
               if "care" in tables and scenario.regions.urban_rural is not None else {})
    for name, county in zip(counties.names, counties.counties):
        frames["population"].append(county.population.assign(region=name))
        indicators = county.indicators
        if "care" in tables:
            # The city's calibration for every county (no county targets exist): counties differ
            # by age structure, survival and their urban/rural mix (`disability_factors`).
            county_states.append(project_states(county.scenario, county, states.calibration, factors.get(name)))
            care, fit = project_care_demand(county.scenario, county, county_states[-1])
            frames["care"].append(care.assign(region=name))
            if name in factors:
                fit = {**fit, "care_disability_factor_mild": factors[name][0],
                       "care_disability_factor_severe": factors[name][1]}
            indicators = pd.concat([indicators, care_indicators(care, fit)], ignore_index=True)
        frames["indicators"].append(indicators.assign(region=name))
    if county_states:
        tables["care"] = city_care(frames["care"], tables["care"])
        kept = tables["indicators"][~tables["indicators"].indicator.str.startswith("care_")]
        tables["indicators"] = pd.concat([kept, care_indicators(tables["care"], states.fit)], ignore_index=True)
        states = pool_states(county_states)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items() if parts}, states
