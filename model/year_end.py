"""Published year-end populations: check the projection against them, and fit the net-migration
rates that reproduce them.

Statistical bulletins give a region's resident population at 31 December each year
(``population.year_end``). The model's stocks are on day 1 of the reference month m (1 November
for the census), so the bulletins are compared on the model's dates:

* the model's year-end of *c* is pro-rated between its stocks, P(c) + (13 − m)/12 · (P(c+1) − P(c))
  (`demography.calendar_year_view`);
* a target for the stock of *c* is pro-rated between year-ends, YE(c−1) + (m − 1)/12 · (YE(c) − YE(c−1)),
  the base year's year-end (before the first bulletin) interpolated between the base stock
  and the first published year-end (`stock_targets`).

**The fit** (`fit_migration_rates`): net migration is a rate path per 1,000 of the settled
population (step interpolation, so interval *y* uses the knot of year *y*). Fertility and
mortality stay the scenario's; each knot from the base year on is solved in turn (secant
steps on a projection of the years so far) so that the next stock hits its target. After the
last fitted interval the rate is held at the mean of the fitted ones, and their standard
deviation is the region's yearly spread, the default sd of migration in the uncertainty runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .scenario import Scenario

# A projection that misses a published year-end population by more than this is reported:
# the migration path no longer fits the bulletins it was calibrated to.
TOLERANCE = 0.005


def stock_targets(scenario: Scenario, base_total: float) -> dict[int, float]:
    """Targets for the model's stocks (reference-month dates) from the published year-ends,
    {year: persons}, for each year after the base that lies between two year-ends."""
    published = {int(y): v for y, v in scenario.population.year_end.values.items()}
    base, month = scenario.years.base, scenario.years.reference_month
    after = (13 - month) / 12                   # years from the base stock to the base year's end
    year_end = dict(published)
    if base not in year_end and base + 1 in year_end:
        year_end[base] = base_total + after / (after + 1) * (published[base + 1] - base_total)
    return {c: year_end[c - 1] + (month - 1) / 12 * (year_end[c] - year_end[c - 1])
            for c in sorted(year_end) if c > base and c - 1 in year_end and c <= scenario.years.end}


def year_end_misses(scenario: Scenario, indicators) -> dict[int, float]:
    """The projection's year-end population over the published one, minus 1, by year."""
    from .demography import calendar_year_view

    if scenario.population.year_end is None:
        return {}
    view = calendar_year_view(indicators, scenario.years.reference_month)["year_end_population"]
    published = scenario.population.year_end.values
    return {int(y): float(view[y] / v - 1) for y, v in sorted(published.items()) if y in view.index and np.isfinite(view[y])}


def year_end_warnings(scenario: Scenario, indicators) -> list[str]:
    """One line for each published year-end the projection misses by more than `TOLERANCE`."""
    return [f"the projected year-end population of {year} is {miss:+.1%} off the published "
            "population.year_end; refit the migration path (python scripts/calibrate_migration.py SCENARIO)"
            for year, miss in year_end_misses(scenario, indicators).items() if abs(miss) > TOLERANCE]


@dataclass(frozen=True)
class MigrationFit:
    """Fitted net-migration rates per 1,000 by interval start year, the rate held afterwards
    (their mean) and their standard deviation (the region's yearly spread)."""

    rates: dict[int, float]
    held: float
    spread: float

    def path(self) -> dict[int, float]:
        """The step path {year: per 1,000}: the fitted years, then the held rate."""
        last = max(self.rates)
        return {**self.rates, last + 1: self.held}


def fit_migration_rates(scenario: Scenario) -> MigrationFit:
    """Net-migration rates that make the projection pass through the published year-ends."""
    from .demography import base_and_rates, project

    if scenario.population.year_end is None:
        raise ValueError("population.year_end: give the published year-end populations to fit to")
    base, rates = base_and_rates(scenario)
    targets = stock_targets(scenario, float(base.population.sum()))
    first = min(targets)
    if abs(targets[first] / base.population.sum() - 1) > 0.1:
        raise ValueError(f"population.year_end: the published population around {first} ({targets[first]:,.0f}) is "
                         f"far from the base population ({base.population.sum():,.0f}); is it the same region?")
    if len(targets) < 2:
        raise ValueError("population.year_end: need published year-ends for at least two years after the base year")
    fitted: dict[int, float] = {}
    net_rate = np.zeros_like(rates.net_rate)
    for year, target in targets.items():
        t = year - 1 - scenario.years.base            # the interval ending at the target's stock

        def stock_after(rate: float) -> float:
            net_rate[t] = rate
            trial = replace(rates, years=rates.years[:t + 1], mx=rates.mx[:t + 1], asfr=rates.asfr[:t + 1],
                            srb=rates.srb[:t + 1], net_total=np.zeros(t + 1), net_rate=net_rate[:t + 1].copy(),
                            net_table=None, internal=None)
            return float(project(base.population, base.transient, trial).population[-1].sum())

        fitted[year - 1] = net_rate[t] = _secant(stock_after, 0.0, 5.0, target)
    values = np.array(list(fitted.values()))
    return MigrationFit(rates={y: round(v, 3) for y, v in fitted.items()}, held=round(float(values.mean()), 3),
                        spread=round(float(values.std(ddof=1)), 3))


def _secant(f, x0: float, x1: float, target: float) -> float:
    """Root of f(x) = target for a nearly linear f (a few secant steps)."""
    f0, f1 = f(x0), f(x1)
    for _ in range(8):
        if abs(f1 - target) < 1e-3 or f1 == f0:
            break
        x0, x1, f0 = x1, x1 + (target - f1) * (x1 - x0) / (f1 - f0), f1
        f1 = f(x1)
    return float(x1)
