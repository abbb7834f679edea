"""One-at-a-time sensitivity: each key assumption moved to a low and a high value, the rest
held, and the effect on the bed gap and the employee scheme's required transfer in the end
year. The ranges are the scenario's `sensitivity:` section (planning ranges, not
probabilities), so they are stated once, with their sources, and shown in the outputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .demography import base_and_rates, path_times, project_population
from .errors import ScenarioError
from .scenario import Scenario, TimePath
from .scenario.quantities import RatioPath
from .stages import Progress, quiet, stage_rows

# The outcomes: (table, metric) of the registry, for the employee scheme where it is a pension metric.
OUTCOMES = (("care", "bed_gap"), ("pension", "required_transfer"))


def _resampled(path: TimePath, years: np.ndarray, values: np.ndarray) -> dict:
    """`values` at every year of `years` as an overlay of `path` (unit kept; sampled at every
    year, so a step or linear path is reproduced exactly where unchanged)."""
    return {"values": {int(y): float(v) for y, v in zip(years, values)}, "unit": path.unit,
            "interpolation": path.interpolation,
            "source": {"kind": "assumption", "note": "sensitivity variant of the scenario's value",
                       "note_zh": "敏感性分析中对情景取值的变动"}}


def _base_total(scenario: Scenario) -> float:
    """The base-year population (persons)."""
    return float(base_and_rates(scenario)[0].population.sum())


def _variant(scenario: Scenario, name: str, sign: float) -> dict | None:
    """The overlay moving input `name` by its range × `sign` (−1 low, +1 high); None when the
    scenario lacks the input (e.g. a mortality table instead of an e0 path)."""
    change = getattr(scenario.sensitivity, name).value() * sign
    pop, years = scenario.population, np.arange(scenario.years.base, scenario.years.end + 1)
    later = years > years[0]
    if name == "tfr":
        tfr = pop.fertility.tfr
        return None if tfr is None else {"population": {"fertility": {"tfr": _resampled(tfr, years, tfr.at(years) * (1 + change))}}}
    if name == "e0":
        e0 = pop.mortality.e0
        ramp = change * (years - years[0]) / (years[-1] - years[0])
        return None if e0 is None else {"population": {"mortality": {"e0": _resampled(e0, years, e0.at(years) + ramp)}}}
    if name == "migration":
        # Sampled where the projection reads it and held as steps: the base interval is untouched exactly.
        migration, times = pop.migration, path_times(scenario)
        if migration.rate is not None:
            values = migration.rate.at(times) + change * later[:-1]
            return {"population": {"migration": {"rate": {**_resampled(migration.rate, years[:-1], values),
                                                          "interpolation": "step"}}}}
        if migration.net is not None:   # a rate of the base-year population, in persons
            persons = change * later[:-1] * _base_total(scenario) / 1000
            values = migration.net.at(times) + persons
            return {"population": {"migration": {"net": {**_resampled(migration.net, years[:-1], values),
                                                         "interpolation": "step"}}}}
        return None
    if scenario.pension is not None and name in ("award_level", "pensioner_mortality"):
        if name == "award_level":
            level = scenario.pension.employee.award_level.value()
            return {"pension": {"employee": {"award_level": max(level * (1 + change), RatioPath.bounds[0])}}}
        ratio = scenario.pension.pensioner_mortality_ratio.value()
        return {"pension": {"pensioner_mortality_ratio": max(ratio + change, RatioPath.bounds[0])}}
    if scenario.pension is not None and name in ("wage_growth", "indexation", "compliance"):
        pension = scenario.pension
        if name == "wage_growth":
            growth = pension.wages.growth
            return {"pension": {"wages": {"growth": _resampled(growth, years, growth.at(years) + change)}}}
        if name == "indexation":
            path = pension.employee.indexation
            return {"pension": {"employee": {"indexation": _resampled(path, years, path.at(years) + change * later)}}}
        path = pension.employee.compliance
        return {"pension": {"employee": {"compliance": _resampled(path, years, np.clip(path.at(years) + change, 0, 1))}}}
    if scenario.care is not None and name == "disability_incidence":
        trend = scenario.care.incidence_trend
        return {"care": {"incidence_trend": _resampled(trend, years, trend.at(years) + change)}}
    if scenario.care is not None and name in ("care_mix", "healthy_institution"):
        state = "severe" if name == "care_mix" else "healthy"
        mix = scenario.care.mix[state]
        institution, home = mix.institution.at(years), mix.home.at(years)
        delta = np.clip(change, -institution, home)   # home takes the difference
        return {"care": {"mix": {state: {"institution": _resampled(mix.institution, years, institution + delta),
                                         "home": _resampled(mix.home, years, home - delta)}}}}
    if scenario.care is not None and name == "self_caring_share":
        share = scenario.care.base_use.self_caring_share
        return {"care": {"base_use": {"self_caring_share": float(np.clip(share.value() + change, 0, 1))}}}
    return None


def _outcomes(scenario: Scenario) -> dict[tuple[str, str], float]:
    stages, _ = stage_rows(scenario, project_population(scenario))
    year = scenario.years.end
    found = {}
    for table, key in OUTCOMES:
        if table in stages:
            rows = stages[table].frame()
            rows = rows[(rows.year == year) & (rows.metric == key)]
            if "scheme" in rows:
                rows = rows[rows.scheme == "employee"]
            found[(table, key)] = float(rows.value.iloc[0])
    return found


def sensitivity(scenario: Scenario, progress: Progress = quiet) -> pd.DataFrame:
    """Tidy table: parameter, change (the range), table, metric, year, base, low, high (each
    a value of the metric in the end year)."""
    if scenario.regions is not None:
        raise ScenarioError("regions: the sensitivity analysis runs on the city; use a scenario without regions")
    if scenario.sensitivity is None:
        raise ScenarioError("sensitivity: the scenario has no sensitivity section (the ranges to move each input by)")
    scenario = scenario.overlaid({"uncertainty": {"trials": 0},
                                  "stages": [stage for stage in scenario.stages if stage != "abm"]})
    base = _outcomes(scenario)
    rows = []
    for name in type(scenario.sensitivity).model_fields:
        low, high = _variant(scenario, name, -1), _variant(scenario, name, 1)
        if low is None:
            continue
        progress(f"sensitivity: {name}")
        low, high = _outcomes(scenario.overlaid(low)), _outcomes(scenario.overlaid(high))
        for (table, metric), value in base.items():
            rows.append((name, getattr(scenario.sensitivity, name).value(), table, metric, scenario.years.end,
                         value, low[(table, metric)], high[(table, metric)]))
    return pd.DataFrame(rows, columns=["parameter", "change", "table", "metric", "year", "base", "low", "high"])
