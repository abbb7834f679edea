"""Fit a scenario's net-migration rates to its published year-end populations
(`population.year_end`) and print the path to paste into the scenario, with the fitted
rates' spread for `uncertainty.migration_sd`. Method: `model/year_end.py`.

    python scripts/calibrate_migration.py configs/base.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.demography import calendar_year_view, project_population  # noqa: E402
from model.errors import ScenarioError  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.year_end import fit_migration_rates, year_end_misses  # noqa: E402


def main(path: str) -> None:
    scenario = load_scenario(path)
    fit = fit_migration_rates(scenario)
    print(f"{scenario.region}: net migration per 1,000 (step): {fit.path()}")
    print(f"spread of the fitted years (sd, per 1,000): {fit.spread}")
    fitted = scenario.overlaid({"population": {"migration": {"rate": {
        "values": fit.path(), "interpolation": "step"}}}})
    projection = project_population(fitted)
    calendar = calendar_year_view(projection.indicators, fitted.years.reference_month)
    print(calendar.loc[fitted.years.base:max(fit.rates) + 2].round(0).to_string())
    print("miss against the published year-ends:",
          {year: f"{miss:+.3%}" for year, miss in year_end_misses(fitted, projection.indicators).items()})


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/calibrate_migration.py SCENARIO.yaml")
    try:
        main(sys.argv[1])
    except (ScenarioError, ValueError) as exc:
        sys.exit(f"error: {exc}")
