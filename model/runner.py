"""Chain the stages for one scenario: population first (the city, or its counties), then
the stages the scenario lists, then probabilistic trials and the agent-based module.

The runner times each stage and reports progress through an optional callback; its result
holds everything the writers need, so that no writer reaches back into a stage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from .care_demand import user_prevalence
from .demography import PopulationProjection, base_and_rates, project_population
from .year_end import year_end_warnings
from .scenario import Scenario
from .stages import Progress, further_stages, quiet


@dataclass
class RunResult:
    """Everything one run produced: the tidy tables of DESIGN.md's output contract."""

    scenario: Scenario
    population: PopulationProjection
    tables: dict[str, pd.DataFrame]
    timings: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    regions: dict[str, pd.DataFrame] | None = None   # county tables (region column), when counties are projected
    derived: list[tuple[str, str, str, str]] = field(default_factory=list)  # values derived for the assumptions table


def check_scenario(scenario: Scenario) -> None:
    """Build every input of the scenario (every table read and checked as a run reads it,
    rates calibrated) without projecting."""
    base_and_rates(scenario)
    if scenario.regions is not None:
        from .regions import county_bases_and_rates

        county_bases_and_rates(scenario)
    if scenario.care is not None and scenario.care.prevalence_table is not None:
        user_prevalence(scenario)


def run_scenario(scenario: Scenario, progress: Progress = quiet) -> RunResult:
    """Run the population projection and the scenario's further stages."""
    timings: dict[str, float] = {}
    progress("population projection")
    started = time.perf_counter()
    counties = None
    if scenario.regions is not None:
        from .regions import project_counties

        counties = project_counties(scenario)
        population = counties.city
    else:
        population = project_population(scenario)
    timings["population"] = time.perf_counter() - started
    tables, states = further_stages(scenario, population, timings=timings, progress=progress)
    regions, derived = None, []
    if counties is not None:
        from .regions import county_tables, derived_assumptions

        started = time.perf_counter()
        regions, states = county_tables(scenario, counties, tables, states)
        derived = derived_assumptions(scenario)
        timings["counties"] = time.perf_counter() - started
    if scenario.uncertainty.trials:
        from .uncertainty import add_intervals, check_memory, project_trials

        check_memory(scenario.uncertainty.trials, sum(len(tables[name]) for name in ("indicators", "pension", "care")
                                                      if name in tables))
        progress(f"uncertainty: {scenario.uncertainty.trials} trials")
        started = time.perf_counter()
        values = project_trials(scenario, scenario.uncertainty.trials, states.calibration if states else None, progress)
        for name, matrix in values.items():
            tables[name] = add_intervals(tables[name], matrix, scenario.years.end)
        timings["uncertainty"] = time.perf_counter() - started
    if "abm" in scenario.stages:
        from .abm.experiment import run_care_abm  # pandas-level imports; Mesa only where runs are made

        progress("care-mix model (agent-based)")
        started = time.perf_counter()
        tables["abm"], tables["abm_runs"] = run_care_abm(scenario, population, states, tables["pension"], progress,
                                     regions["care"] if regions else None)
        timings["abm"] = time.perf_counter() - started
    warnings = [*population.warnings, *year_end_warnings(scenario, tables["indicators"])]
    if scenario.targets:
        from .targets import checkpoints, target_year_projected

        outside = [t for t in scenario.targets if t.table in tables and not target_year_projected(t, tables)]
        if outside:
            warnings.append(f"targets: {len(outside)} of the plan targets fall outside the projection "
                            f"({scenario.years.base}–{scenario.years.end}) and are not checked")
        if len(outside) < sum(t.table in tables for t in scenario.targets):
            tables["targets"] = checkpoints(scenario.targets, tables, scenario.outputs.lang)
    return RunResult(scenario=scenario, population=population, tables=tables, timings=timings,
                     warnings=warnings, regions=regions, derived=derived)
