"""Time the population projection: one deterministic run 2020→2100, and 1,000 trials at once.

    python benchmarks/projection.py

Budgets: the whole deterministic stage (e0 calibration, base population, projection) within
15 × the bare vectorised cohort-component loop measured in the same run (issue 21), under 2 s
for 1,000 trials. Medians of repeated runs, with the load average. The trials vary TFR, net
migration (a yearly rate per 1,000) and the mortality level (a per-trial multiplier of the
calibrated schedules) and run vectorised through `demography.project`.
"""

from __future__ import annotations

import os
import statistics
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


def median_of(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    scenario = load_scenario(ROOT / "configs" / "base.yaml", {"years": {"end": 2100}})
    n_years = scenario.years.end - scenario.years.base

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    whole = median_of(lambda: project_population(scenario), 9)
    base, rates = base_and_rates(scenario)
    core = median_of(lambda: project(base.population, base.transient, rates), 9)

    rng = np.random.default_rng(20201101)
    tfr_factor = rng.lognormal(0.0, 0.15, size=(1, TRIALS, 1))
    mortality_factor = rng.lognormal(0.0, 0.10, size=(1, TRIALS, 1, 1))
    migration_shift = rng.normal(0.0, 1.5, size=(1, TRIALS))             # per 1,000 a year
    trial_rates = replace(
        rates,
        mx=rates.mx[:, None] * mortality_factor,
        asfr=rates.asfr[:, None] * tfr_factor,
        srb=np.broadcast_to(rates.srb[:, None], (n_years, TRIALS)),
        net_total=np.broadcast_to(rates.net_total[:, None], (n_years, TRIALS)),
        net_rate=rates.net_rate[:, None] + migration_shift,
        net_table=None if rates.net_table is None else rates.net_table[:, None],
    )
    many = median_of(lambda: project(base.population, base.transient, trial_rates), 3)
    final = project(base.population, base.transient, trial_rates).population[-1].sum(axis=(-2, -1))

    print(f"deterministic 2020→2100, whole stage (calibration + base + projection): {whole * 1000:7.1f} ms "
          f"= {whole / core:4.1f} × the bare loop (budget ≤ 15 ×: {'met' if whole <= 15 * core else 'MISSED'})")
    print(f"deterministic 2020→2100, bare cohort-component loop:                    {core * 1000:7.1f} ms")
    print(f"{TRIALS} trials 2020→2100 together, projection:                          {many:7.2f} s "
          f"(budget < 2 s: {'met' if many < 2 else 'MISSED'})")
    print(f"  2100 population across trials: p10 {np.percentile(final, 10):,.0f}, "
          f"p50 {np.percentile(final, 50):,.0f}, p90 {np.percentile(final, 90):,.0f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
