"""Time probabilistic projections: 1,000 trajectories 2020→2050 through population, pension
and care demand (goal: under 10 s on this 2-core machine), and the one-at-a-time sensitivity.

    python benchmarks/uncertainty.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.runner import run_scenario  # noqa: E402
from model.sensitivity import sensitivity  # noqa: E402
from model.uncertainty import fit_fertility_ar1, fit_lee_carter  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    fitted = load_scenario(ROOT / "configs" / "base.yaml").uncertainty
    fit_lee_carter(fitted.lee_carter_from), fit_fertility_ar1(fitted.fertility_from)
    print(f"Lee–Carter and AR(1) fits (NumPy): {time.perf_counter() - started:5.2f} s")
    for trials in (100, 1000):
        scenario = load_scenario(ROOT / "configs" / "base.yaml", {
            "stages": ["pension", "care"], "years": {"end": 2050},
            "uncertainty": {"trials": trials}})
        started = time.perf_counter()
        result = run_scenario(scenario)
        print(f"{trials:5d} trials 2020→2050 through population, pension and care: "
              f"{time.perf_counter() - started:5.2f} s (uncertainty part {result.timings['uncertainty']:.2f} s; goal < 10 s at 1,000)")
    started = time.perf_counter()
    sensitivity(load_scenario(ROOT / "configs" / "base.yaml"))
    print(f"sensitivity, 8 assumptions × 2 values: {time.perf_counter() - started:5.2f} s")


if __name__ == "__main__":
    main()
