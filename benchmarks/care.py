"""Time the care-demand stage (calibration of the health-state model + projection).

    python benchmarks/care.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.care_demand import project_care_demand  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.demography import project_population  # noqa: E402


def main() -> None:
    for end in (2035, 2050):
        scenario = load_scenario(ROOT / "configs" / "base.yaml", {"years": {"end": end}})
        population = project_population(scenario)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            project_care_demand(scenario, population)
            best = min(best, time.perf_counter() - started)
        print(f"care stage 2020→{end}: {best * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
