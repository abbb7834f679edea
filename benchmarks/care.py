"""Time the care-demand stage (calibration of the health-state model + projection); budget
20 ms (issue 21); medians of 25 runs, with the load average.

    python benchmarks/care.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.care_demand import project_care_demand  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.demography import project_population  # noqa: E402


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for end in (2035, 2050):
        scenario = load_scenario(ROOT / "configs" / "base.yaml", {"years": {"end": end}})
        population = project_population(scenario)
        times = []
        for _ in range(25):
            started = time.perf_counter()
            project_care_demand(scenario, population)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"care stage 2020→{end}: {median * 1000:6.1f} ms (budget ≤ 20 ms: {'met' if median <= 0.02 else 'MISSED'})")


if __name__ == "__main__":
    main()
