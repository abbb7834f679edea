"""Time the command line as a user starts it, beside the floors measured in the same run.

    python benchmarks/cli.py [--repeat 5]

Each command runs `--repeat` times as a fresh process; the median wall time is printed beside
its budget (issue 21): `simulate --help` ≤ 3 × `python -c "import click"`; a run without the
agent-based module and charts (`--set 'stages=[pension,care]' --no-charts`) ≤ 1.5 s; 1,000
trials through population, pension and care ≤ 3 s; the county run (configs/counties.yaml,
pension and care for every county, charts and map included) ≤ 1.5 × the city run of the same
stages with charts (the two run in turn, the ratio taken pair by pair). `--full` also times
the full `simulate run configs/base.yaml`, `--full-repeat` times (default 3; budget 20 s; the
agent-based experiment's own time is read from its manifest, the rest ≤ 5 s). The load
average is printed before and after (a shared 2-core machine: figures taken under load are
slower).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIMULATE = [str(Path(sys.executable).parent / "simulate")] if (Path(sys.executable).parent / "simulate").exists() \
    else [sys.executable, "-m", "model"]
QUICK = ["--set", "stages=[pension,care]", "--no-charts", "--quiet"]


def median_wall(command: list[str], repeat: int, expect: int = 0) -> float:
    """Median wall seconds of `command` run `repeat` times from the repository root."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != expect:
            raise SystemExit(f"{' '.join(command)}: exit {done.returncode}, expected {expect}\n{done.stderr}")
    return statistics.median(times)


def paired(a: list[str], b: list[str], repeat: int) -> tuple[float, float, float]:
    """Median wall seconds of `b` and of `a`, run in turn (a b a b …) so that a drift of the
    machine's speed moves both, and the median of the pairs' ratios a ÷ b."""
    times = [(median_wall(a, 1), median_wall(b, 1)) for _ in range(repeat)]
    return (statistics.median(t for _, t in times), statistics.median(t for t, _ in times),
            statistics.median(x / y for x, y in times))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="also time the full base run (~20 s each)")
    parser.add_argument("--full-repeat", type=int, default=3, help="how many times --full runs it")
    args = parser.parse_args()
    if args.repeat < 1 or args.full_repeat < 1:
        parser.error("--repeat and --full-repeat must be at least 1")
    out = Path(tempfile.mkdtemp(prefix="silverplan-bench-"))
    print(f"load average before: {load()}   (median of {args.repeat} runs each)")
    click = median_wall([sys.executable, "-c", "import click"], args.repeat)
    numpy_pandas = median_wall([sys.executable, "-c", "import numpy, pandas"], args.repeat)
    rows = [
        ('python -c "import click"', click, None),
        ('python -c "import numpy, pandas"', numpy_pandas, None),
        ("simulate --help", median_wall([*SIMULATE, "--help"], args.repeat), 3 * click),
        ("simulate run --lang fr (argument error)",
         median_wall([*SIMULATE, "run", "configs/base.yaml", "--lang", "fr"], args.repeat, expect=2), 3 * click),
        ("simulate validate configs/base.yaml", median_wall([*SIMULATE, "validate", "configs/base.yaml"], args.repeat),
         None),
        ("simulate run base, stages [pension, care], --no-charts",
         median_wall([*SIMULATE, "run", "configs/base.yaml", *QUICK, "--out", str(out / "quick")], args.repeat), 1.5),
        ("  the same with --trials 1000",
         median_wall([*SIMULATE, "run", "configs/base.yaml", *QUICK, "--trials", "1000", "--out", str(out / "trials")],
                     args.repeat), 3.0),
    ]
    city_run = [*SIMULATE, "run", "configs/base.yaml", "--set", "stages=[pension,care]", "--quiet", "--out", str(out / "city")]
    county_run = [*SIMULATE, "run", "configs/counties.yaml", "--quiet", "--out", str(out / "counties")]
    city, county, ratio = paired(county_run, city_run, args.repeat)
    rows += [("simulate run base, stages [pension, care], charts", city, None),
             ("simulate run configs/counties.yaml (same stages, by county)", county, None),
             ("  county ÷ city, run in turn (median of the pairs' ratios)", ratio, 1.5)]
    if args.full:
        fulls, rests = [], []
        for _ in range(args.full_repeat):
            fulls.append(median_wall([*SIMULATE, "run", "configs/base.yaml", "--quiet", "--out", str(out / "full")], 1))
            abm = json.loads((out / "full" / "manifest.json").read_text(encoding="utf-8"))["stage_seconds"]["abm"]
            rests.append(fulls[-1] - abm)
        rows += [(f"simulate run configs/base.yaml (full, median of {args.full_repeat})", statistics.median(fulls), 20.0),
                 ("  of it, all but the agent-based experiment", statistics.median(rests), 5.0)]
    for name, seconds, budget in rows:
        unit = "×" if name.startswith("  county ÷ city") else "s"
        verdict = "" if budget is None else f"budget ≤ {budget:5.2f} {unit}  {'met' if seconds <= budget else 'MISSED'}"
        print(f"{name:62s} {seconds:6.2f} {unit}   {verdict}")
    print(f"load average after:  {load()}")


if __name__ == "__main__":
    main()
