"""Time the population projection: one deterministic run 2020→2100, and 1,000 trials at once.

    python benchmarks/projection.py

Goals (issue 3): under 50 ms for the deterministic projection, under 2 s for 1,000 trials,
on a 2-core machine. The trials vary TFR, net migration and the mortality level (a
per-trial multiplier of the calibrated schedules, as a stochastic mortality model would
supply) and run vectorised through `demography.project`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.demography import base_and_rates, project, project_population  # noqa: E402

TRIALS = 1000


def best_of(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    scenario = load_scenario(ROOT / "configs" / "base.yaml", {"years": {"end": 2100}})
    n_years = scenario.years.end - scenario.years.base

    whole = best_of(lambda: project_population(scenario), 5)
    base, rates = base_and_rates(scenario)
    core = best_of(lambda: project(base.population, base.transient, rates), 5)

    rng = np.random.default_rng(20201101)
    tfr_factor = rng.lognormal(0.0, 0.15, size=(1, TRIALS, 1))
    mortality_factor = rng.lognormal(0.0, 0.10, size=(1, TRIALS, 1, 1))
    migration_shift = rng.normal(0.0, 5000.0, size=(1, TRIALS, 1, 1))
    weights = base.population / base.population.sum()
    trial_rates = replace(
        rates,
        mx=rates.mx[:, None] * mortality_factor,
        asfr=rates.asfr[:, None] * tfr_factor,
        srb=np.broadcast_to(rates.srb[:, None], (n_years, TRIALS)),
        net_migrants=rates.net_migrants[:, None] + migration_shift * weights,
    )
    many = best_of(lambda: project(base.population, base.transient, trial_rates), 2)
    final = project(base.population, base.transient, trial_rates).population[-1].sum(axis=(-2, -1))

    print(f"deterministic 2020→2100, whole stage (calibration + base + projection): {whole * 1000:7.1f} ms")
    print(f"deterministic 2020→2100, projection only:                               {core * 1000:7.1f} ms")
    print(f"{TRIALS} trials 2020→2100 together, projection:                          {many:7.2f} s")
    print(f"  2100 population across trials: p10 {np.percentile(final, 10):,.0f}, "
          f"p50 {np.percentile(final, 50):,.0f}, p90 {np.percentile(final, 90):,.0f}")


if __name__ == "__main__":
    main()
