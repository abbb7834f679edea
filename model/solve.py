"""Solve for a pension lever: the value that makes a target on the employee scheme hold.

`simulate solve CONFIG --lever contribution_rate --target balance_standalone_2035>=0` finds the
contribution rate that keeps the notional balance non-negative at the end of 2035: for a
balance of zero at the horizon this is the General Average Premium of the ILO's actuarial
practice. Levers:

* ``contribution_rate``: the total (employer + employee) rate from the valuation year
  (`pension.valuation_year`; the published rate before it);
* ``indexation``: the yearly rise of pensions in payment after the last published year
  (`pension.published_until`; the published rises stay);
* ``retirement_delay``: whole months of delay on top of the 2025 reform, for the cohorts the
  reform reaches (men born from 1965, women cadres from 1970, women workers from 1975).

The population does not depend on these levers, so it is projected once; each trial re-runs
the pension stage only. The root is bracketed and found by bisection: each lever moves the
balance monotonically; ratios such as self-sufficiency can wobble slightly with the retirement
delay, so a solution for them is the first value found that meets the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import OptionError
from .scenario import Scenario
from .demography import project_population
from .pension import pension_population, project_pensions

LEVERS = {
    # lever: (lowest, highest, tolerance, more of it raises the balance)
    "contribution_rate": (0.0, 0.6, 1e-5, True),
    "indexation": (-0.05, 0.10, 1e-5, False),
    "retirement_delay": (0, 120, 1, True),
}
TARGET_METRICS = ("balance_standalone", "balance_without_subsidy", "months_covered", "self_sufficiency_ratio",
                  "required_transfer")
# Values outside these are solutions a planner should not take at face value: a warning says so.
PLAUSIBLE = {"contribution_rate": (0.16, 0.32), "indexation": (0.0, 0.06), "retirement_delay": (0, 60)}
_TARGET = re.compile(r"^(?P<metric>[a-z_]+)_(?P<year>\d{4})\s*(?P<op>>=|<=)\s*(?P<value>-?\d+(?:\.\d+)?(?:e-?\d+)?)$")


@dataclass(frozen=True)
class Target:
    metric: str
    year: int
    at_least: bool
    value: float

    def gap(self, pension) -> float:
        """How far the target is met (≥ 0 when met)."""
        rows = pension[(pension.scheme == "employee") & (pension.metric == self.metric) & (pension.year == self.year)]
        achieved = float(rows["value"].iloc[0])
        return achieved - self.value if self.at_least else self.value - achieved


def parse_target(text: str, scenario: Scenario) -> Target:
    match = _TARGET.match(text.strip())
    if not match:
        raise OptionError("target", text, "is not of the form METRIC_YEAR>=VALUE, e.g. balance_standalone_2035>=0")
    metric, year = match["metric"], int(match["year"])
    if metric not in TARGET_METRICS:
        raise OptionError("target", text, f"metric {metric!r} is not allowed; use one of {', '.join(TARGET_METRICS)}")
    last = scenario.pension.horizon or scenario.years.end if scenario.pension else scenario.years.end
    if not scenario.years.base <= year <= last:
        raise OptionError("target", text, f"year {year} is outside the projection {scenario.years.base}..{last}")
    valuation = int(scenario.pension.valuation_year.at(scenario.years.base)) if scenario.pension else scenario.years.base
    if year < valuation:
        raise OptionError("target", text, f"year {year} is before pension.valuation_year {valuation}, "
                                          "from which the levers act; give a later year")
    return Target(metric, year, match["op"] == ">=", float(match["value"]))


def lever_overrides(scenario: Scenario, lever: str, value: float) -> dict:
    """The scenario overlay that sets `lever` to `value`."""
    solved = {"kind": "derived", "note": "solved by simulate solve", "note_zh": "由 simulate solve 求解"}
    if lever == "contribution_rate":
        path = scenario.pension.employee.contribution_rate
        valuation = int(scenario.pension.valuation_year.at(scenario.years.base))
        kept = {y: float(path.at(y)) for y in range(scenario.years.base, valuation)}
        return {"pension": {"employee": {"contribution_rate": {
            "values": {**kept, valuation: value}, "interpolation": "step",
            "source": {**solved, "note": f"solved by simulate solve (from {valuation})",
                       "note_zh": f"由 simulate solve 求解（自{valuation}年起）"}}}}}
    if lever == "indexation":
        path = scenario.pension.employee.indexation
        last = int(scenario.pension.published_until.at(scenario.years.base))
        kept = {y: float(path.at(y)) for y in range(scenario.years.base, last + 1)}
        return {"pension": {"employee": {"indexation": {
            "values": {**kept, last + 1: value}, "interpolation": "step",
            "source": {**solved, "note": f"solved by simulate solve (after {last})",
                       "note_zh": f"由 simulate solve 求解（{last}年以后）"}}}}}
    return {"pension": {"extra_delay_months": int(value)}}


def solve_lever(scenario: Scenario, lever: str, target: Target) -> tuple[float, float]:
    """The smallest change of `lever` (from its side that fails) meeting `target`; returns
    (value, achieved gap). Raises OptionError if no value in the lever's range meets it. The
    population does not depend on the levers, so it is projected once."""
    population = pension_population(scenario, project_population(scenario))
    lowest, highest, tolerance, raises = LEVERS[lever]
    raises = raises == target.at_least  # for a ceiling, the helpful direction is the other one
    def gap(value: float) -> float:
        return target.gap(project_pensions(scenario.overlaid(lever_overrides(scenario, lever, value)), population))

    weak, strong = (lowest, highest) if raises else (highest, lowest)
    if gap(strong) < 0:
        raise OptionError("lever", lever, f"no value from {lowest} to {highest} meets the target")
    if gap(weak) >= 0:
        return weak, gap(weak)
    while abs(strong - weak) > tolerance:
        middle = (weak + strong) // 2 if lever == "retirement_delay" else (weak + strong) / 2
        if gap(middle) >= 0:
            strong = middle
        else:
            weak = middle
    return strong, gap(strong)


def plausibility_warning(lever: str, value: float) -> str | None:
    """A line saying a solved value lies outside what a plan could adopt (`PLAUSIBLE`), or None."""
    low, high = PLAUSIBLE[lever]
    if low <= value <= high:
        return None
    shown = f"{value:.1%}" if lever != "retirement_delay" else f"{int(value)} months"
    bounds = f"{low:.0%}–{high:.0%}" if lever != "retirement_delay" else f"{low}–{high} months"
    return (f"the solved {lever} ({shown}) lies outside {bounds}, the range of published rates and reforms; "
            "read it as the size of the gap, not as a policy")
