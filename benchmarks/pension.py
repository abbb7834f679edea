"""Time the pension stage and the lever solver on the baseline.

    python benchmarks/pension.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.demography import project_population  # noqa: E402
from model.pension import project_pensions  # noqa: E402
from model.solve import parse_target, solve_lever  # noqa: E402


def timed(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    for end in (2035, 2050):
        scenario = load_scenario(ROOT / "configs" / "base.yaml", {"years": {"end": end}})
        population = project_population(scenario)
        target = parse_target(f"balance_standalone_{end}>=0", scenario)
        stage = timed(lambda s=scenario, p=population: project_pensions(s, p))
        solve = timed(lambda s=scenario, t=target: solve_lever(s, "contribution_rate", t), 1)
        print(f"pension stage 2020→{end}: {stage * 1000:6.1f} ms;  solve contribution_rate: {solve:5.2f} s")


if __name__ == "__main__":
    main()
