"""Calibrate the 2020–2023 net-migration path of configs/base.yaml to Jinzhong's published
year-end populations, and print the values to paste into the scenario.

Observed year-end resident populations (sources in model/data/SOURCES.md):

    2021 3,390,000   2022 3,394,500   2023 3,376,500   2024 3,338,533

Method. Stocks in the model are on 1 November (the census date); a 1 November target is
interpolated between year-ends (10/12 of the way from the previous year-end; the 2020
year-end itself interpolated between the census and the 2021 year-end). Net migration is a
step path, so interval y's total is the knot of year y: each knot 2020–2023 is solved in turn
so that the 1 November stock of the next year hits its target. Migration from 2024 on is held
at the mean of the four calibrated years. Fertility and mortality stay as in the scenario.

    python scripts/calibrate_jinzhong.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.demography import calendar_year_view, project_population  # noqa: E402

YEAR_END = {2021: 3_390_000, 2022: 3_394_500, 2023: 3_376_500, 2024: 3_338_533}
CENSUS = 3_379_498


def november_targets() -> dict[int, float]:
    year_end = dict(YEAR_END)
    year_end[2020] = CENSUS + (2 / 14) * (YEAR_END[2021] - CENSUS)
    return {c: year_end[c - 1] + 10 / 12 * (year_end[c] - year_end[c - 1]) for c in range(2021, 2025)}


def run(migration: dict):
    overrides = {"population": {
        "migration": {"net": {"values": migration, "interpolation": "step", "unit": "persons_per_year"}},
    }}
    return project_population(load_scenario(ROOT / "configs" / "base.yaml", overrides))


def solve_linear(f, x0: float, x1: float, target: float) -> float:
    """Secant steps for a nearly linear f(x) = target."""
    f0, f1 = f(x0), f(x1)
    for _ in range(4):
        if abs(f1 - target) < 1e-6:
            break
        x0, x1, f0 = x1, x1 + (target - f1) * (x1 - x0) / (f1 - f0), f1
        f1 = f(x1)
    return x1


def main() -> None:
    migration = {year: 0.0 for year in range(2020, 2025)}
    targets = november_targets()
    for year in range(2020, 2024):
        def stock_after(value, year=year):
            ind = run({**migration, year: value}).indicators
            return ind.query("indicator == 'population_total' and year == @year + 1")["value"].item()
        migration[year] = solve_linear(stock_after, 0.0, 10_000.0, targets[year + 1])
    migration[2024] = float(np.mean([migration[y] for y in range(2020, 2024)]))

    print("migration (step):", {y: int(round(v, -2)) for y, v in migration.items()})
    projection = run(migration)
    calendar = calendar_year_view(projection.indicators, projection.scenario.years.reference_month)
    print(calendar.loc[2021:2025].round(0).to_string())


if __name__ == "__main__":
    main()
