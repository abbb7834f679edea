"""The stages after the population projection, for one population: pensions, then care demand.

One function, `further_stages`, below everything that runs them: a run (`runner.py`), each
probabilistic trial (`uncertainty.py`), each variant of a sensitivity analysis, a solver or a
sweep point. Stages are pure functions of the scenario and the stage before; none reads or
writes files (DESIGN.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from .care_demand import HealthStates, care_indicators, project_care_demand, project_states
from .demography import PopulationProjection
from .pension import pension_indicators, pension_population, project_pensions
from .scenario import Scenario

Progress = Callable[[str], None]   # a stage's progress messages ("care demand", …)


def quiet(message: str) -> None:
    """A progress callback that shows nothing."""


def further_stages(scenario: Scenario, population: PopulationProjection, calibration: tuple | None = None,
                   timings: dict | None = None, progress: Progress = quiet,
                   population_tables: bool = True) -> tuple[dict[str, pd.DataFrame], HealthStates | None]:
    """The population's tables and the pension and care-demand stages the scenario lists:
    (tables, health states or None). `calibration` reuses the care stage's base-year fit;
    without `population_tables`, indicators holds only the pension and care rows (trials
    compute the population rows for all trials at once). Stage times go to `timings`."""
    timings = {} if timings is None else timings
    tables = ({"population": population.population, "indicators": population.indicators} if population_tables
              else {"indicators": pd.DataFrame(columns=["year", "indicator", "value"])})
    if population_tables and scenario.outputs.vital_events:
        tables["vital_events"] = population.vital_events
    states = None
    # Further stages run in DESIGN.md's order; the schema refuses a stage that is not
    # available, so nothing listed is silently skipped.
    if "pension" in scenario.stages:
        progress("pension projection")
        started = time.perf_counter()
        tables["pension"] = project_pensions(scenario, pension_population(scenario, population, population_tables))
        tables["indicators"] = pd.concat([tables["indicators"], pension_indicators(tables["pension"], scenario)],
                                         ignore_index=True)
        timings["pension"] = time.perf_counter() - started
    if "care" in scenario.stages:
        progress("care demand")
        started = time.perf_counter()
        states = project_states(scenario, population, calibration)
        tables["care"], fit = project_care_demand(scenario, population, states)
        tables["indicators"] = pd.concat([tables["indicators"], care_indicators(tables["care"], fit)],
                                         ignore_index=True)
        timings["care"] = time.perf_counter() - started
    return tables, states
