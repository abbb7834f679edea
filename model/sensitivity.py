"""One-at-a-time sensitivity: each key assumption moved to a low and a high value, the rest
held, and the effect on the bed gap and the notional employee pension balance in 2035 (or
the end year, if earlier). Ranges are stated in RANGES and the README; they are planning
ranges, not probabilities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Scenario, ScenarioError, TimePath, load_scenario

TARGET_YEAR = 2035


def _resampled(path: TimePath, years: np.ndarray, change) -> dict:
    """`path` read in every year, changed by `change(values, years)`, as an overlay path."""
    values = change(np.asarray(path.at(years), dtype=float), years)
    return {"values": {int(y): float(v) for y, v in zip(years, values)}, "unit": path.unit,
            "interpolation": path.interpolation,  # sampled at every year, so the path is reproduced exactly
            "source": f"sensitivity variant of: {path.source or 'the scenario value'}"}


def _ramp(years: np.ndarray, size: float) -> np.ndarray:
    """0 in the base year rising to `size` in the target year, held after."""
    return size * np.clip((years - years[0]) / max(TARGET_YEAR - years[0], 1), 0, 1)


# name: (description, overlay for a signed step of +1 (high) or −1 (low)); None when the
# scenario does not have the input (e.g. a user mortality table instead of an e0 path).
RANGES = {
    "tfr": ("TFR path × 0.8 / × 1.2", lambda s, y, d: None if s.population.fertility.tfr is None else
            {"population": {"fertility": {"tfr": _resampled(s.population.fertility.tfr, y, lambda v, _: v * (1 + 0.2 * d))}}}),
    "e0_gain": ("life expectancy −1 / +1 year by 2035", lambda s, y, d: None if s.population.mortality.e0 is None else
                {"population": {"mortality": {"e0": _resampled(s.population.mortality.e0, y, lambda v, t: v + _ramp(t, d))}}}),
    "migration": ("net migration −10,000 / +10,000 a year", lambda s, y, d: None if s.population.migration.net is None else
                  {"population": {"migration": {"net": _migration(s, y, d)}}}),
    "wage_growth": ("wage growth −1 / +1 point a year", lambda s, y, d: None if s.pension is None else
                    {"pension": {"wages": {"growth": _resampled(s.pension.wages.growth, y, lambda v, _: v + 0.01 * d)}}}),
    "indexation": ("pension indexation −1 / +1 point a year", lambda s, y, d: None if s.pension is None else
                   {"pension": {"employee": {"indexation": _resampled(s.pension.employee.indexation, y,
                                                                      lambda v, t: v + 0.01 * d * (t > t[0]))}}}),
    "compliance": ("contribution compliance −0.1 / +0.1", lambda s, y, d: None if s.pension is None else
                   {"pension": {"employee": {"compliance": _resampled(s.pension.employee.compliance, y,
                                                                      lambda v, _: np.clip(v + 0.1 * d, 0, 1))}}}),
    "disability_incidence": ("disability incidence −1% / +1% a year", lambda s, y, d: None if s.care is None else
                             {"care": {"incidence_trend": _resampled(s.care.incidence_trend, y, lambda v, _: v + 0.01 * d)}}),
    "care_mix": ("severe cases in institutions −10 / +10 points (home takes the difference)",
                 lambda s, y, d: None if s.care is None else {"care": {"mix": {"severe": _care_mix(s, y, d)}}}),
}


def _migration(scenario: Scenario, years: np.ndarray, d: float) -> dict:
    """Net migration ± 10,000 from the second interval on: sampled where the projection reads
    it (y + (month − 1)/12) and held as steps, so the base interval is untouched exactly."""
    path = scenario.population.migration.net
    reads = years + (scenario.years.reference_month - 1) / 12
    values = np.asarray(path.at(reads), dtype=float) + 10_000 * d * (years > years[0])
    return {"values": {int(y): float(v) for y, v in zip(years, values)}, "interpolation": "step",
            "unit": path.unit, "source": f"sensitivity variant of: {path.source or 'the scenario value'}"}


def _care_mix(scenario: Scenario, years: np.ndarray, d: float) -> dict:
    """Severe institutional share ± 10 points, home taking the difference (within 0..1)."""
    mix = scenario.care.mix["severe"]
    institution = np.asarray(mix.institution.at(years), dtype=float)
    home = np.asarray(mix.home.at(years), dtype=float)
    delta = np.clip(0.1 * d, -institution, home)
    return {"institution": _resampled(mix.institution, years, lambda v, _: v + delta),
            "home": _resampled(mix.home, years, lambda v, _: v - delta)}


def _outcomes(scenario: Scenario) -> dict[str, float]:
    from .demography import project_population
    from .runner import aggregate_stages

    tables, _ = aggregate_stages(scenario, project_population(scenario), population_tables=False)
    year = min(TARGET_YEAR, scenario.years.end)
    found = {}
    if "care" in tables:
        care = tables["care"]
        found["bed_gap"] = float(care[(care.year == year) & (care.metric == "bed_gap")].value.iloc[0])
    if "pension" in tables:
        pension = tables["pension"]
        found["pension_balance"] = float(pension[(pension.year == year) & (pension.scheme == "employee")
                                                 & (pension.metric == "balance")].value.iloc[0])
    return found


def sensitivity(config, progress=None) -> pd.DataFrame:
    """Tidy table: parameter, description, metric, year, base, low, high (each a value of the metric)."""
    report = progress or (lambda message: None)
    base_overrides = {"uncertainty": {"trials": 0}}
    scenario = load_scenario(config, base_overrides)
    if scenario.regions is not None:
        raise ScenarioError("regions: the sensitivity analysis runs on the city; use a scenario without regions")
    stages = [stage for stage in scenario.stages if stage != "abm"]  # the ABM is not needed here
    base_overrides["stages"] = stages
    scenario = load_scenario(config, base_overrides)
    years = np.arange(scenario.years.base, scenario.years.end + 1)
    base = _outcomes(scenario)
    rows = []
    for name, (description, overlay) in RANGES.items():
        if overlay(scenario, years, 1) is None:
            continue
        report(f"sensitivity: {name}")
        low = _outcomes(load_scenario(config, {**base_overrides, **overlay(scenario, years, -1)}))
        high = _outcomes(load_scenario(config, {**base_overrides, **overlay(scenario, years, 1)}))
        for metric in base:
            rows.append((name, description, metric, min(TARGET_YEAR, scenario.years.end), base[metric], low[metric],
                         high[metric]))
    return pd.DataFrame(rows, columns=["parameter", "description", "metric", "year", "base", "low", "high"])
