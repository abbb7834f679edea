"""The stages after the population projection: pensions, then care demand.

`stage_rows` runs them for a population with any batch axes after the year: one population
(a run, each variant of a sensitivity analysis, a solver or a sweep point) or all the
probabilistic trials of a chunk at once (`uncertainty.py`); `further_stages` gives one
population's tidy tables. Both sit below everything that runs them. Stages are pure functions
of the scenario and the stage before; none reads or writes files (DESIGN.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from .care_demand import HealthStates, care_indicators, care_rows, project_states
from .demography import PopulationProjection
from .pension import pension_indicators, pension_population, pension_rows
from .rows import Rows
from .scenario import Scenario

Progress = Callable[[str], None]   # a stage's progress messages ("care demand", …)


def quiet(message: str) -> None:
    """A progress callback that shows nothing."""


def stage_rows(scenario: Scenario, population: PopulationProjection, calibration: tuple | None = None,
               timings: dict | None = None, progress: Progress = quiet) -> tuple[dict[str, Rows], HealthStates | None]:
    """The pension and care-demand stages the scenario lists: ({"pension", "care",
    "indicators"}: rows with values (rows, ...), health states or None). The indicator rows
    are the stages' own (pension's, then care's), without the population's. `calibration`
    reuses the care stage's base-year fit (a batch needs it). Stage times go to `timings`."""
    timings = {} if timings is None else timings
    rows: dict[str, Rows] = {}
    indicators = []
    states = None
    # Further stages run in DESIGN.md's order; the schema refuses a stage that is not
    # available, so nothing listed is silently skipped.
    if "pension" in scenario.stages:
        progress("pension projection")
        started = time.perf_counter()
        rows["pension"] = pension_rows(scenario, pension_population(scenario, population))
        indicators.append(pension_indicators(rows["pension"], scenario))
        timings["pension"] = time.perf_counter() - started
    if "care" in scenario.stages:
        progress("care demand")
        started = time.perf_counter()
        states = project_states(scenario, population, calibration)
        rows["care"] = care_rows(scenario, population.years, states)
        indicators.append(care_indicators(rows["care"], states.fit))
        timings["care"] = time.perf_counter() - started
    if indicators:
        rows["indicators"] = Rows.concat(indicators)
    return rows, states


def further_stages(scenario: Scenario, population: PopulationProjection, timings: dict | None = None,
                   progress: Progress = quiet) -> tuple[dict[str, pd.DataFrame], HealthStates | None]:
    """One population's tables: its own and those of the stages the scenario lists, tidy
    (`stage_rows`, indicators after the population's): (tables, health states or None)."""
    rows, states = stage_rows(scenario, population, timings=timings, progress=progress)
    tables = {"population": population.population, "indicators": population.indicators}
    if scenario.outputs.vital_events:
        tables["vital_events"] = population.vital_events
    tables.update({name: part.frame() for name, part in rows.items() if name != "indicators"})
    if "indicators" in rows:
        tables["indicators"] = pd.concat([tables["indicators"], rows["indicators"].frame()], ignore_index=True)
    return tables, states
